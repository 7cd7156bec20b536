/** The hidden field every dashboard form carries; requireAdmin() checks it on every state change. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

type ActionButtonProps = { action: string; csrf: string; label: string; fields?: Record<string, string> };

/** A one-button form for an action that needs no input from the operator. */
export function ActionButton({ action, csrf, label, fields = {} }: ActionButtonProps) {
  return (
    <form method="post" action={action}>
      <CsrfField token={csrf} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit">{label}</button>
    </form>
  );
}
