/**
 * An order reference in groups of four, so it reads and wraps on a phone.
 * The groups are spaced by CSS only and `<wbr>` lets a line break between
 * them: the text (what is copied, and what a screen reader reads) is exactly
 * the reference, with nothing between the groups.
 */
export function GroupedReference({ reference }: { reference: string }) {
  const groups = reference.match(/.{1,4}/gs) ?? [];
  return (
    <code class="reference reference-grouped" translate="no" data-reference={reference}>
      {groups.map((group, i) => (
        <>
          {i > 0 ? <wbr /> : null}
          <span>{group}</span>
        </>
      ))}
    </code>
  );
}
