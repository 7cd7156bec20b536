/**
 * CSV for spreadsheets. Every field is quoted; a field a spreadsheet would
 * run as a formula (= + - @, or a leading tab or carriage return) gets a
 * leading apostrophe so it is shown as text (OWASP "CSV injection").
 */
export function csvField(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${inert.replace(/"/g, '""')}"`;
}

export function toCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
