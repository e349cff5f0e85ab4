/** The holder's own merchant (个体商户): opening it, its codes, orders and refunds (docs/merchants.md). */
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import type { MerchantOrder } from './money.ts';

export interface Shop {
  id: string;
  kind: 'individual' | 'company';
  status: 'active' | 'pending_review' | 'rejected' | 'suspended';
  name: string;
  city: string;
  mcc: string;
  balance: MoneyJson;
  feeRateBp: number;
  createdAt: string;
  /** The caller's role there: the wallet's shop is the owner's; a cashier works in the portal. */
  role: 'owner' | 'cashier';
}

export interface ShopCode {
  payload: string;
  qrDataUrl: string;
}

export interface ShopRefund {
  id: string;
  merchantRefundId: string;
  merchantOrderId: string;
  status: 'pending' | 'succeeded' | 'failed';
  amount: MoneyJson;
  fee: MoneyJson;
  reason: string | null;
  failure: string | null;
  createdAt: string;
  settledAt: string | null;
}

export const shopKey = ['shop'] as const;
export const shopOrdersKey = ['shop', 'orders'] as const;

/** Categories offered when opening a shop (ISO 18245 merchant category codes). */
export const SHOP_CATEGORIES = ['5812', '5411', '5499', '5814', '7230', '5999'] as const;

export function fetchShop(): Promise<Shop> {
  return api.get<Shop>('/v1/me/merchant');
}

export function openShop(input: { name: string; city: string; mcc: string }): Promise<Shop> {
  return api.post<Shop>('/v1/me/merchant', input);
}

export function fetchShopCode(): Promise<ShopCode> {
  return api.get<ShopCode>('/v1/me/merchant/qr');
}

export function createShopOrder(input: {
  merchantOrderId: string;
  amount: MoneyJson;
  description?: string;
}): Promise<MerchantOrder & ShopCode> {
  return api.post<MerchantOrder & ShopCode>('/v1/me/merchant/orders', input);
}

export function fetchShopOrders(): Promise<{ orders: MerchantOrder[] }> {
  return api.get<{ orders: MerchantOrder[] }>('/v1/me/merchant/orders?limit=50');
}

export function fetchShopOrder(merchantOrderId: string): Promise<MerchantOrder & { refunds: ShopRefund[] }> {
  return api.get(`/v1/me/merchant/orders/${encodeURIComponent(merchantOrderId)}`);
}

export function refundShopOrder(input: {
  merchantOrderId: string;
  merchantRefundId: string;
  amount: MoneyJson;
  reason?: string;
}): Promise<ShopRefund> {
  const { merchantOrderId, ...body } = input;
  return api.post<ShopRefund>(`/v1/me/merchant/orders/${encodeURIComponent(merchantOrderId)}/refunds`, body);
}

export { newOrderNumber } from '../lib/order-number.ts';
