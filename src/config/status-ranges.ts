export type StatusRange = { min: number; max: number };

/** "200-399", "200,204", "200-299,404"; null when malformed. */
export function parseStatusRanges(text: string): StatusRange[] | null {
  const ranges: StatusRange[] = [];
  for (const part of text.split(",").map((piece) => piece.trim())) {
    const match = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/.exec(part);
    if (!match) return null;
    const min = Number(match[1]);
    const max = Number(match[2] ?? match[1]);
    if (max < min) return null;
    ranges.push({ min, max });
  }
  return ranges;
}
