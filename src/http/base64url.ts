/** Unpadded base64url (RFC 4648 §5), as used in signed cookies, session ids and form tokens. */
export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * The bytes, or null for anything but the one canonical encoding: the last
 * character of a text can carry unused bits, and a decoder that ignores them
 * would accept a changed signature as the original.
 */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));
  return toBase64Url(bytes) === text ? bytes : null;
}
