/**
 * An order number the shop makes for an order typed at the counter: date and time in Beijing time
 * (the shop's calendar, UTC+8 all year), then 4 random letters.
 */
export function newOrderNumber(now = new Date()): string {
  const stamp = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) =>
    'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'.charAt(byte % 32),
  ).join('');
  return `${stamp}${random}`;
}
