/**
 * Picks black or white text for the brand colour so the header stays readable
 * (WCAG AA needs a 4.5:1 contrast ratio for body text).
 */
export function readableTextOn(hex: string): "#000000" | "#ffffff" {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((ch) => ch + ch).join("")}` : hex;
  const channels = [1, 3, 5].map((at) => parseInt(full.slice(at, at + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const contrastWithWhite = 1.05 / (luminance + 0.05);
  const contrastWithBlack = (luminance + 0.05) / 0.05;
  return contrastWithWhite >= contrastWithBlack ? "#ffffff" : "#000000";
}
