/** Minor units to a shopper-readable price ("€14.50", "JP¥1,450"): the currency decides how many decimals. */
export function formatMoney(minor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
