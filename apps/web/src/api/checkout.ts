/** Hosted checkout (docs/merchants.md): the page reads its checkout by the link's token. */
import { api } from './client.ts';
import type { MerchantOrder } from './money.ts';

export interface Checkout {
  merchantName: string;
  order: MerchantOrder;
  /** Pay it as `qr` (kind `merchant_order`) while open; null once paid, closed or expired. */
  payload: string | null;
  returnUrl: string;
  /** Made with a test key (ADR 0022): no wallet can pay it; the test payers do. */
  testMode: boolean;
}

/** How the test payer answers a test order: it pays, or its wallet is empty (the ledger refuses). */
export type TestPayer = 'succeeds' | 'insufficient_funds';

export function payAsTestPayer(token: string, payer: TestPayer): Promise<MerchantOrder> {
  return api.post<MerchantOrder>(
    `/v1/checkouts/${encodeURIComponent(token)}/test-payments`,
    { payer },
    {
      reportUnauthorized: false,
    },
  );
}

export function fetchCheckout(token: string): Promise<Checkout> {
  return api.get<Checkout>(`/v1/checkouts/${encodeURIComponent(token)}`, { reportUnauthorized: false });
}

/** The merchant's return address with the outcome added, as the merchant's API docs promise. */
export function returnAddress(checkout: Checkout, status: 'paid' | 'cancelled'): string {
  const url = new URL(checkout.returnUrl);
  url.searchParams.set('merchantOrderId', checkout.order.merchantOrderId);
  url.searchParams.set('status', status);
  return url.toString();
}
