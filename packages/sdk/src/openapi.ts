/**
 * GENERATED — do not edit. The types of the Qianbao public API: the operations of the server's
 * OpenAPI document (GET /openapi.json) whose security lists `apiKey`, turned into TypeScript by
 * openapi-typescript (packages/sdk/test/public-api.ts) and formatted by Prettier.
 *
 * The drift test (packages/sdk/test/drift.test.ts) fails when this file no longer matches the
 * server. Regenerate it with:
 *
 *   UPDATE_SDK=1 npx vitest run packages/sdk/test/drift.test.ts
 */

export interface paths {
  '/v1/me/merchant/charges': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Charge the payer's payment code scanned at the till
     * @description Needs an Idempotency-Key. 201 `succeeded` (within the payer’s password-free limit); 202 `awaiting_confirmation` — the payer is asked to confirm within 60 s: poll GET /v1/me/merchant/charges/:id. PAYMENT_CODE_INVALID, PAYMENT_CODE_EXPIRED (ask for the code again), PAYMENT_CODE_USED, ORDER_ID_REUSED, CANNOT_PAY_YOURSELF; a refused payment answers its refusal (WALLET_FROZEN, INSUFFICIENT_FUNDS, LIMIT_EXCEEDED …) with `details.chargeId`, the charge `failed`.
     */
    post: operations['createCharge'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/charges/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A payment code's charge (poll it while it awaits the payer)
     * @description Poll it every second or two while `awaiting_confirmation`: it ends `succeeded`, `declined`, `timed_out` (after `confirmBy`) or `failed` (`failure`). CHARGE_NOT_FOUND for an id not of this merchant.
     */
    get: operations['getCharge'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/checkouts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Make an order with a hosted checkout link: send the customer to `url`
     * @description The same order number with the same amount, description and return address answers the same checkout (ORDER_ID_REUSED otherwise). Cancel it by closing the order (POST /v1/me/merchant/orders/:id/close); it expires unpaid after `expiresInMinutes` (default 120). Query it as any order.
     */
    post: operations['createCheckout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My merchant's orders, newest first, with filters
     * @description Pages of `limit`; pass `nextCursor` as `cursor` for the next (null: no more). A cursor is opaque: send it back as it came (a damaged one is VALIDATION_FAILED). A cashier (without `orders:read`) sees today’s orders only (Asia/Shanghai), whatever `from` says.
     */
    get: operations['listOrders'];
    put?: never;
    /**
     * Make an order and its dynamic code (amount and order number in the code; paid once)
     * @description The merchant’s own order number makes it idempotent: the same number with the same amount and description answers the same order (ORDER_ID_REUSED if they differ). Show `qrDataUrl` (or the `payload` as a QR code) to the payer; the order is paid once, until `expiresAt`. You are told by the `payment.succeeded` webhook; query the order when in doubt.
     */
    post: operations['createOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders/{merchantOrderId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Order query: one order by its number, with its refunds
     * @description The truth about an order whatever the webhooks said: its status, what was paid and refunded. ORDER_NOT_FOUND for a number the merchant never used (or another merchant’s; a cashier: one made before today).
     */
    get: operations['getOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders/{merchantOrderId}/charge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The payment code's charge of an order, by the merchant's order number
     * @description For a till that lost the charge’s id (it crashed after sending it). ORDER_NOT_FOUND for an order number not used; CHARGE_NOT_FOUND for an order not paid with a payment code.
     */
    get: operations['getOrderCharge'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders/{merchantOrderId}/close': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Close an order nobody has paid: its code pays nothing from now on
     * @description Closing a closed order answers it again. ORDER_NOT_CLOSABLE (`details.status`) once it is paid, being paid or expired.
     */
    post: operations['closeOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders/{merchantOrderId}/refunds': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Refund a paid order, in full or in part, back to the payer’s wallet
     * @description Several partial refunds up to the amount paid (REFUND_EXCEEDS_PAID with details.remaining); the same refund number again answers the same refund (REFUND_ID_REUSED if its amount or reason differ). The fee is returned pro rata. MERCHANT_BALANCE_INSUFFICIENT when the merchant’s balance cannot cover it. The risk engine judges each new refund first: RISK_REVIEW_REQUIRED or RISK_BLOCKED (details.rules) refuse it with nothing reserved.
     */
    post: operations['createRefund'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/orders/{merchantOrderId}/refunds/{merchantRefundId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Refund query
     * @description A refund of an order by the merchant’s own refund number. REFUND_NOT_FOUND for a number not used on this order; ORDER_NOT_FOUND for an order number not used.
     */
    get: operations['getRefund'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/settlements': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My merchant's settlements, newest first
     * @description Pages of `limit`, newest first: for the next page pass the last `createdAt` as `before` (fewer than `limit` answered: no more). The daily T+1 settlements are here too (`trigger: daily`).
     */
    get: operations['listSettlements'];
    put?: never;
    /**
     * Settle my merchant's balance to the settlement card now
     * @description Needs an Idempotency-Key. Without `amount`, the whole available balance (at most ¥1,000,000.00 at a time). 201 `succeeded`; 202 `processing` (the bank has not answered: poll GET /v1/me/merchant/settlements/:id). SETTLEMENT_CARD_REQUIRED, SETTLEMENT_NOTHING_TO_SETTLE, SETTLEMENT_EXCEEDS_BALANCE (`details.available`), SETTLEMENT_IN_PROGRESS, SETTLEMENT_DECLINED (`details.reason`), BANK_UNAVAILABLE — each failure with `details.settlementId` once started.
     */
    post: operations['createSettlement'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/settlements/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One settlement, with its steps
     * @description Poll a `processing` settlement until it is `succeeded` or `failed` (the `settlement.paid` and `settlement.failed` webhooks say so too). SETTLEMENT_NOT_FOUND for an id not of this merchant.
     */
    get: operations['getSettlement'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/statements/{date}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My merchant's daily statement (JSON, CSV or PDF)
     * @description Every payment, refund and settlement that moved the balance that day (Asia/Shanghai), with fees, totals and the opening and closing balance, read from the ledger. `format=csv` is UTF-8 with a BOM (Excel opens it), `format=pdf` a printable PDF. STATEMENT_DATE_INVALID for a day before the merchant opened or after today.
     */
    get: operations['getStatement'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/webhook-deliveries/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One delivery with every attempt
     * @description The delivery (its body byte for byte) and each attempt: when, what status, how long, why it failed. WEBHOOK_DELIVERY_NOT_FOUND for an id not of this merchant.
     */
    get: operations['getWebhookDelivery'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/webhook-deliveries/{id}/resend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Post a delivery again now (the same webhook-id and body, a new timestamp and signature)
     * @description One attempt, made before the answer, also to a disabled endpoint (after you fixed it); answers the delivery after it. It does not change the automatic schedule of a pending delivery. WEBHOOK_DELIVERY_IN_PROGRESS while an attempt is being made (`Retry-After`).
     */
    post: operations['resendWebhookDelivery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me/merchant/webhook-endpoints/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An endpoint’s deliveries, newest first
     * @description What was posted to one endpoint and how it went: reconcile what your server missed. Pages of `limit`; pass `nextCursor` as `cursor` for the next (null: no more). WEBHOOK_ENDPOINT_NOT_FOUND for an endpoint not of this merchant.
     */
    get: operations['listWebhookDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  createCharge: {
    parameters: {
      query?: never;
      header: {
        /** @description Required: a key of your own for this request (a UUID is fine), at most 255 characters. The same key and body again answer the first answer (`Idempotency-Replayed: true`); another body with it is 422 IDEMPOTENCY_KEY_REUSED; while the first runs, 409 IDEMPOTENCY_REQUEST_IN_FLIGHT. */
        'Idempotency-Key': string;
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    /** @description The charge: the code scanned, the amount, the till’s order number. */
    requestBody: {
      content: {
        /**
         * @example {
         *       "paymentCode": "281234567890123456",
         *       "amount": {
         *         "amount": "2600",
         *         "currency": "CNY"
         *       },
         *       "merchantOrderId": "T-20261207-0042",
         *       "description": "两碗阳春面"
         *     }
         */
        'application/json': {
          /**
           * @description An amount in CNY, from ¥0.01. Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.
           * @example {
           *       "amount": "1234",
           *       "currency": "CNY"
           *     }
           */
          amount: {
            /**
             * @description Integer minor units (fen for CNY) as a string of digits, from 1 to 10000000000: no decimal point, sign or leading zeros.
             * @example 1234
             */
            amount: string;
            /**
             * @description The ISO 4217 currency code: CNY.
             * @example CNY
             * @enum {string}
             */
            currency: 'CNY';
          };
          /** @description What it is for, shown to the payer (at most 100 characters). */
          description?: string;
          /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
          merchantOrderId: string;
          /** @description The payer's 18-digit payment code, as scanned. */
          paymentCode: string;
        };
      };
    };
    responses: {
      /** @description Paid: the charge `succeeded`. */
      201: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *       "status": "succeeded",
           *       "failure": null,
           *       "merchantName": "李记面馆",
           *       "merchantOrderId": "T-20261207-0042",
           *       "amount": {
           *         "amount": "2600",
           *         "currency": "CNY"
           *       },
           *       "description": "两碗阳春面",
           *       "confirmBy": null,
           *       "payment": {
           *         "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *         "amount": "2600",
           *         "currency": "CNY",
           *         "payee": "merchant:0193a400-0000-7000-8000-00000000c0de"
           *       },
           *       "order": {
           *         "id": "0193a5d0-6c7d-7e8f-9a0b-c1d2e3f4a5b6",
           *         "merchantOrderId": "T-20261207-0042",
           *         "channel": "code",
           *         "status": "paid",
           *         "amount": {
           *           "amount": "2600",
           *           "currency": "CNY"
           *         },
           *         "description": "两碗阳春面",
           *         "merchantName": "李记面馆",
           *         "payer": "*明",
           *         "fee": {
           *           "amount": "16",
           *           "currency": "CNY"
           *         },
           *         "refunded": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "transferId": "0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012",
           *         "paidAt": "2026-12-07T04:12:09.000Z",
           *         "expiresAt": "2026-12-07T06:10:00.000Z",
           *         "createdAt": "2026-12-07T04:10:00.000Z"
           *       },
           *       "createdAt": "2026-12-07T04:20:00.000Z",
           *       "updatedAt": "2026-12-07T04:20:01.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount charged.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Until when the payer may confirm it (ISO 8601), while awaiting confirmation. */
            confirmBy: string | null;
            /** @description When the till sent it (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the till wrote it. */
            description: string | null;
            /** @description The error code that refused the payment (failed). */
            failure: string | null;
            /** @description The charge id. */
            id: string;
            /** @description The merchant charging. */
            merchantName: string;
            /** @description The merchant's order number of this charge. */
            merchantOrderId: string;
            /** @description The order the charge pays. */
            order: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            };
            /** @description What a passkey signs to confirm it: send it to POST /v1/me/confirmations/options. */
            payment: {
              /**
               * @description Integer minor units as a string.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
              /** @description The payment id the Idempotency-Key derives. */
              id: string;
              /** @description Who receives the money, as the payment names it. */
              payee: string;
            };
            /**
             * @description `succeeded`; `awaiting_confirmation` until the payer confirms or declines (at most 60 s, see `confirmBy`); `declined`, `timed_out` or `failed` (`failure`) with nothing moved; `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';
            /** @description When it last changed (ISO 8601). */
            updatedAt: string;
          };
        };
      };
      /** @description The payer is asked to confirm (`awaiting_confirmation`, until `confirmBy`): poll it. */
      202: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *       "status": "awaiting_confirmation",
           *       "failure": null,
           *       "merchantName": "李记面馆",
           *       "merchantOrderId": "T-20261207-0042",
           *       "amount": {
           *         "amount": "2600",
           *         "currency": "CNY"
           *       },
           *       "description": "两碗阳春面",
           *       "confirmBy": "2026-12-07T04:21:00.000Z",
           *       "payment": {
           *         "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *         "amount": "2600",
           *         "currency": "CNY",
           *         "payee": "merchant:0193a400-0000-7000-8000-00000000c0de"
           *       },
           *       "order": {
           *         "id": "0193a5d0-6c7d-7e8f-9a0b-c1d2e3f4a5b6",
           *         "merchantOrderId": "T-20261207-0042",
           *         "channel": "code",
           *         "status": "open",
           *         "amount": {
           *           "amount": "2600",
           *           "currency": "CNY"
           *         },
           *         "description": "两碗阳春面",
           *         "merchantName": "李记面馆",
           *         "payer": null,
           *         "fee": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "refunded": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "transferId": null,
           *         "paidAt": null,
           *         "expiresAt": "2026-12-07T06:10:00.000Z",
           *         "createdAt": "2026-12-07T04:10:00.000Z"
           *       },
           *       "createdAt": "2026-12-07T04:20:00.000Z",
           *       "updatedAt": "2026-12-07T04:20:01.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount charged.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Until when the payer may confirm it (ISO 8601), while awaiting confirmation. */
            confirmBy: string | null;
            /** @description When the till sent it (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the till wrote it. */
            description: string | null;
            /** @description The error code that refused the payment (failed). */
            failure: string | null;
            /** @description The charge id. */
            id: string;
            /** @description The merchant charging. */
            merchantName: string;
            /** @description The merchant's order number of this charge. */
            merchantOrderId: string;
            /** @description The order the charge pays. */
            order: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            };
            /** @description What a passkey signs to confirm it: send it to POST /v1/me/confirmations/options. */
            payment: {
              /**
               * @description Integer minor units as a string.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
              /** @description The payment id the Idempotency-Key derives. */
              id: string;
              /** @description Who receives the money, as the payment names it. */
              payee: string;
            };
            /**
             * @description `succeeded`; `awaiting_confirmation` until the payer confirms or declines (at most 60 s, see `confirmBy`); `declined`, `timed_out` or `failed` (`failure`) with nothing moved; `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';
            /** @description When it last changed (ISO 8601). */
            updatedAt: string;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       *     - `IDEMPOTENCY_KEY_REQUIRED`: This request moves money: send an Idempotency-Key header (at most 255 characters).
       *     - `PAYMENT_CODE_INVALID`: This is not a valid Qianbao payment code; ask the customer to show the code again.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       *     - `MERCHANT_NOT_ACTIVE`: This merchant cannot take payments now.
       *     - `WALLET_FROZEN`: This wallet is frozen: no money can leave it until the freeze is lifted.
       *     - `KYC_TIER_TOO_LOW`: Your verification level does not allow this; verify further.
       *     - `PAYMENTS_LOCKED`: Too many wrong PINs or codes: payments are locked for a while.
       *     - `RISK_REVIEW_REQUIRED`: This payment needs a review by our risk team and cannot be made now. Contact customer service.
       *     - `RISK_BLOCKED`: This payment was refused to protect your account, and your wallet is frozen. Contact customer service, or unfreeze it with an identity check.
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `IDEMPOTENCY_REQUEST_IN_FLIGHT`: The first request with this Idempotency-Key is still running; retry shortly.
       *     - `PAYMENT_CODE_USED`: This payment code was used already; ask the customer to show a new one.
       *     - `ORDER_ID_REUSED`: This order number was used for another order (another amount or description).
       *     - `ORDER_BEING_PAID`: Someone is paying this order right now; look at it again in a moment.
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Gone. This operation answers:
       *
       *     - `PAYMENT_CODE_EXPIRED`: This payment code has expired; ask the customer to show the code again.
       */
      410: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Refused. This operation answers:
       *
       *     - `IDEMPOTENCY_KEY_REUSED`: This Idempotency-Key was used with a different request; use a new key.
       *     - `CANNOT_PAY_YOURSELF`: You cannot transfer money to your own wallet.
       *     - `LIMIT_EXCEEDED`: This payment would pass one of your limits.
       *     - `INSUFFICIENT_FUNDS`: Your balance is not enough for this payment.
       *     - `PAYEE_BALANCE_CAP_EXCEEDED`: The payee's wallet cannot hold that much.
       */
      422: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       *     - `SECRET_CHECK_BUSY`: Other tries of this password, PIN or code are being checked right now; retry shortly.
       *     - `OVERLOADED`: The ledger is busy; retry shortly.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getCharge: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The charge id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The charge as it stands. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *       "status": "succeeded",
           *       "failure": null,
           *       "merchantName": "李记面馆",
           *       "merchantOrderId": "T-20261207-0042",
           *       "amount": {
           *         "amount": "2600",
           *         "currency": "CNY"
           *       },
           *       "description": "两碗阳春面",
           *       "confirmBy": null,
           *       "payment": {
           *         "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *         "amount": "2600",
           *         "currency": "CNY",
           *         "payee": "merchant:0193a400-0000-7000-8000-00000000c0de"
           *       },
           *       "order": {
           *         "id": "0193a5d0-6c7d-7e8f-9a0b-c1d2e3f4a5b6",
           *         "merchantOrderId": "T-20261207-0042",
           *         "channel": "code",
           *         "status": "paid",
           *         "amount": {
           *           "amount": "2600",
           *           "currency": "CNY"
           *         },
           *         "description": "两碗阳春面",
           *         "merchantName": "李记面馆",
           *         "payer": "*明",
           *         "fee": {
           *           "amount": "16",
           *           "currency": "CNY"
           *         },
           *         "refunded": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "transferId": "0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012",
           *         "paidAt": "2026-12-07T04:12:09.000Z",
           *         "expiresAt": "2026-12-07T06:10:00.000Z",
           *         "createdAt": "2026-12-07T04:10:00.000Z"
           *       },
           *       "createdAt": "2026-12-07T04:20:00.000Z",
           *       "updatedAt": "2026-12-07T04:20:01.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount charged.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Until when the payer may confirm it (ISO 8601), while awaiting confirmation. */
            confirmBy: string | null;
            /** @description When the till sent it (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the till wrote it. */
            description: string | null;
            /** @description The error code that refused the payment (failed). */
            failure: string | null;
            /** @description The charge id. */
            id: string;
            /** @description The merchant charging. */
            merchantName: string;
            /** @description The merchant's order number of this charge. */
            merchantOrderId: string;
            /** @description The order the charge pays. */
            order: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            };
            /** @description What a passkey signs to confirm it: send it to POST /v1/me/confirmations/options. */
            payment: {
              /**
               * @description Integer minor units as a string.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
              /** @description The payment id the Idempotency-Key derives. */
              id: string;
              /** @description Who receives the money, as the payment names it. */
              payee: string;
            };
            /**
             * @description `succeeded`; `awaiting_confirmation` until the payer confirms or declines (at most 60 s, see `confirmBy`); `declined`, `timed_out` or `failed` (`failure`) with nothing moved; `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';
            /** @description When it last changed (ISO 8601). */
            updatedAt: string;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `CHARGE_NOT_FOUND`: No such charge.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  createCheckout: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    /** @description The order to make and where the customer comes back to. */
    requestBody: {
      content: {
        /**
         * @example {
         *       "merchantOrderId": "W-2001",
         *       "amount": {
         *         "amount": "12800",
         *         "currency": "CNY"
         *       },
         *       "description": "年货礼盒",
         *       "returnUrl": "https://shop.example.com/orders/W-2001",
         *       "expiresInMinutes": 30
         *     }
         */
        'application/json': {
          /**
           * @description An amount in CNY, from ¥0.01. Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.
           * @example {
           *       "amount": "1234",
           *       "currency": "CNY"
           *     }
           */
          amount: {
            /**
             * @description Integer minor units (fen for CNY) as a string of digits, from 1 to 10000000000: no decimal point, sign or leading zeros.
             * @example 1234
             */
            amount: string;
            /**
             * @description The ISO 4217 currency code: CNY.
             * @example CNY
             * @enum {string}
             */
            currency: 'CNY';
          };
          /** @description What it is for, shown on the checkout page (at most 100 characters). */
          description?: string;
          /** @description How long the link can be paid: default 120 minutes, at most 7 days. */
          expiresInMinutes?: number;
          /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
          merchantOrderId: string;
          /**
           * Format: uri
           * @description Where the customer is sent back after paying or leaving, with `merchantOrderId` and `status` (`paid` or `cancelled`) added to its query. http(s), at most 500 characters.
           */
          returnUrl: string;
        };
      };
    };
    responses: {
      /** @description The checkout: its page and its order, open. */
      201: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5e0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
           *       "url": "https://wallet.example.com/checkout/Yk3vQ8pL2mN7rT5wX9zA4bC6",
           *       "returnUrl": "https://shop.example.com/orders/W-2001",
           *       "order": {
           *         "id": "0193a5e0-2b3c-7d4e-8f5a-6b7c8d9e0f1a",
           *         "merchantOrderId": "W-2001",
           *         "channel": "dynamic",
           *         "status": "open",
           *         "amount": {
           *           "amount": "12800",
           *           "currency": "CNY"
           *         },
           *         "description": "年货礼盒",
           *         "merchantName": "李记面馆",
           *         "payer": null,
           *         "fee": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "refunded": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "transferId": null,
           *         "paidAt": null,
           *         "expiresAt": "2026-12-07T04:40:00.000Z",
           *         "createdAt": "2026-12-07T04:10:00.000Z"
           *       }
           *     }
           */
          'application/json': {
            /** @description The checkout id. */
            id: string;
            /** @description The order the checkout pays. */
            order: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            };
            /** @description Where the customer comes back to. */
            returnUrl: string;
            /** @description The hosted checkout page: send the customer there. */
            url: string;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       *     - `MERCHANT_NOT_ACTIVE`: This merchant cannot take payments now.
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `ORDER_ID_REUSED`: This order number was used for another order (another amount or description).
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  listOrders: {
    parameters: {
      query?: {
        /** @description Only orders paid (or to be paid) this way. */
        channel?: 'static' | 'dynamic' | 'code';
        /** @description The `nextCursor` of the page before. */
        cursor?: string;
        /** @description Made on or after this day (YYYY-MM-DD, Asia/Shanghai). */
        from?: string;
        /** @description At most this many (1–100). */
        limit?: number;
        /** @description Only order numbers starting with this. */
        q?: string;
        /** @description Only orders in this state. */
        status?: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
        /** @description Made on or before this day (YYYY-MM-DD, Asia/Shanghai). */
        to?: string;
      };
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of orders. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "orders": [
           *         {
           *           "id": "0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20",
           *           "merchantOrderId": "A-1001",
           *           "channel": "dynamic",
           *           "status": "paid",
           *           "amount": {
           *             "amount": "3800",
           *             "currency": "CNY"
           *           },
           *           "description": "牛肉面",
           *           "merchantName": "李记面馆",
           *           "payer": "*明",
           *           "fee": {
           *             "amount": "23",
           *             "currency": "CNY"
           *           },
           *           "refunded": {
           *             "amount": "0",
           *             "currency": "CNY"
           *           },
           *           "transferId": "0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012",
           *           "paidAt": "2026-12-07T04:12:09.000Z",
           *           "expiresAt": "2026-12-07T06:10:00.000Z",
           *           "createdAt": "2026-12-07T04:10:00.000Z"
           *         }
           *       ],
           *       "nextCursor": "MjAyNi0xMi0wN1QwNDoxMDowMC4wMDBafDAxOTNhNWIyLTdjNGUtN2QxYS05ZjNlLTJiOGM2ZDRlMWYyMA"
           *     }
           */
          'application/json': {
            /** @description The next page’s cursor; null at the end. */
            nextCursor: string | null;
            /** @description Newest first. */
            orders: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            }[];
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  createOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    /** @description The order to make. */
    requestBody: {
      content: {
        /**
         * @example {
         *       "merchantOrderId": "A-1001",
         *       "amount": {
         *         "amount": "3800",
         *         "currency": "CNY"
         *       },
         *       "description": "牛肉面",
         *       "expiresInMinutes": 120
         *     }
         */
        'application/json': {
          /**
           * @description An amount in CNY, from ¥0.01. Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.
           * @example {
           *       "amount": "1234",
           *       "currency": "CNY"
           *     }
           */
          amount: {
            /**
             * @description Integer minor units (fen for CNY) as a string of digits, from 1 to 10000000000: no decimal point, sign or leading zeros.
             * @example 1234
             */
            amount: string;
            /**
             * @description The ISO 4217 currency code: CNY.
             * @example CNY
             * @enum {string}
             */
            currency: 'CNY';
          };
          /** @description What it is for, shown to the payer (at most 100 characters). */
          description?: string;
          /** @description How long it can be paid: default 120 minutes, at most 7 days (10080). */
          expiresInMinutes?: number;
          /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
          merchantOrderId: string;
        };
      };
    };
    responses: {
      /** @description The order, open, with its code. */
      201: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20",
           *       "merchantOrderId": "A-1001",
           *       "channel": "dynamic",
           *       "status": "open",
           *       "amount": {
           *         "amount": "3800",
           *         "currency": "CNY"
           *       },
           *       "description": "牛肉面",
           *       "merchantName": "李记面馆",
           *       "payer": null,
           *       "fee": {
           *         "amount": "0",
           *         "currency": "CNY"
           *       },
           *       "refunded": {
           *         "amount": "0",
           *         "currency": "CNY"
           *       },
           *       "transferId": null,
           *       "paidAt": null,
           *       "expiresAt": "2026-12-07T06:10:00.000Z",
           *       "createdAt": "2026-12-07T04:10:00.000Z",
           *       "payload": "00020101021226300010cn.qianbao0112q7Hk2mPz9XwR520458125303156540538.005802CN5913LIJI MIANGUAN6008SHANGHAI62100506A-10016304E5DC",
           *       "qrDataUrl": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjwvc3ZnPg=="
           *     }
           */
          'application/json': {
            /**
             * @description The amount to pay.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /**
             * @description Paid through the static code, its own code, or the payer's payment code at a till.
             * @enum {string}
             */
            channel: 'static' | 'dynamic' | 'code';
            /** @description When it was made (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the merchant wrote it. */
            description: string | null;
            /** @description Until when it can be paid (ISO 8601). */
            expiresAt: string;
            /**
             * @description The discount rate taken (0 until paid).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            fee: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The order id. */
            id: string;
            /** @description The merchant payers see. */
            merchantName: string;
            /** @description The merchant's own order number. */
            merchantOrderId: string;
            /** @description When it was paid (ISO 8601). */
            paidAt: string | null;
            /** @description Who paid, masked (*明 or 138****8000). */
            payer: string | null;
            /** @description The text of the QR code (EMVCo merchant-presented). */
            payload: string;
            /** @description The QR code as an SVG data URL. */
            qrDataUrl: string;
            /**
             * @description Refunded so far (at most the amount).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            refunded: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /**
             * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
             * @enum {string}
             */
            status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
            /** @description The payment's id in the payer's history. */
            transferId: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       *     - `MERCHANT_NOT_ACTIVE`: This merchant cannot take payments now.
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `ORDER_ID_REUSED`: This order number was used for another order (another amount or description).
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
        merchantOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order and its refunds. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20",
           *       "merchantOrderId": "A-1001",
           *       "channel": "dynamic",
           *       "status": "paid",
           *       "amount": {
           *         "amount": "3800",
           *         "currency": "CNY"
           *       },
           *       "description": "牛肉面",
           *       "merchantName": "李记面馆",
           *       "payer": "*明",
           *       "fee": {
           *         "amount": "23",
           *         "currency": "CNY"
           *       },
           *       "refunded": {
           *         "amount": "1000",
           *         "currency": "CNY"
           *       },
           *       "transferId": "0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012",
           *       "paidAt": "2026-12-07T04:12:09.000Z",
           *       "expiresAt": "2026-12-07T06:10:00.000Z",
           *       "createdAt": "2026-12-07T04:10:00.000Z",
           *       "refunds": [
           *         {
           *           "id": "0193a5c1-02f3-7a4b-9c5d-6e7f80912a3b",
           *           "merchantRefundId": "R-1001-1",
           *           "merchantOrderId": "A-1001",
           *           "status": "succeeded",
           *           "amount": {
           *             "amount": "1000",
           *             "currency": "CNY"
           *           },
           *           "fee": {
           *             "amount": "6",
           *             "currency": "CNY"
           *           },
           *           "reason": "少了一份卤蛋",
           *           "failure": null,
           *           "createdAt": "2026-12-07T05:01:30.000Z",
           *           "settledAt": "2026-12-07T05:01:30.000Z"
           *         }
           *       ]
           *     }
           */
          'application/json': {
            /**
             * @description The amount to pay.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /**
             * @description Paid through the static code, its own code, or the payer's payment code at a till.
             * @enum {string}
             */
            channel: 'static' | 'dynamic' | 'code';
            /** @description When it was made (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the merchant wrote it. */
            description: string | null;
            /** @description Until when it can be paid (ISO 8601). */
            expiresAt: string;
            /**
             * @description The discount rate taken (0 until paid).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            fee: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The order id. */
            id: string;
            /** @description The merchant payers see. */
            merchantName: string;
            /** @description The merchant's own order number. */
            merchantOrderId: string;
            /** @description When it was paid (ISO 8601). */
            paidAt: string | null;
            /** @description Who paid, masked (*明 or 138****8000). */
            payer: string | null;
            /**
             * @description Refunded so far (at most the amount).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            refunded: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Its refunds, oldest first. */
            refunds: {
              /**
               * @description The amount refunded to the payer.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was asked for (ISO 8601). */
              createdAt: string;
              /** @description Why it failed (an error code), when it did. */
              failure: string | null;
              /**
               * @description The part of the payment's fee this refund returns (pro rata).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The refund id. */
              id: string;
              /** @description The order it refunds. */
              merchantOrderId: string;
              /** @description The merchant's own refund number. */
              merchantRefundId: string;
              /** @description The merchant's reason, if given. */
              reason: string | null;
              /** @description When it succeeded or failed (ISO 8601). */
              settledAt: string | null;
              /**
               * @description `succeeded` (the money is back with the payer), `failed` (`failure`), `pending` while it runs.
               * @enum {string}
               */
              status: 'pending' | 'succeeded' | 'failed';
            }[];
            /**
             * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
             * @enum {string}
             */
            status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
            /** @description The payment's id in the payer's history. */
            transferId: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `ORDER_NOT_FOUND`: No such order.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getOrderCharge: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
        merchantOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order’s charge. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *       "status": "succeeded",
           *       "failure": null,
           *       "merchantName": "李记面馆",
           *       "merchantOrderId": "T-20261207-0042",
           *       "amount": {
           *         "amount": "2600",
           *         "currency": "CNY"
           *       },
           *       "description": "两碗阳春面",
           *       "confirmBy": null,
           *       "payment": {
           *         "id": "0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6",
           *         "amount": "2600",
           *         "currency": "CNY",
           *         "payee": "merchant:0193a400-0000-7000-8000-00000000c0de"
           *       },
           *       "order": {
           *         "id": "0193a5d0-6c7d-7e8f-9a0b-c1d2e3f4a5b6",
           *         "merchantOrderId": "T-20261207-0042",
           *         "channel": "code",
           *         "status": "paid",
           *         "amount": {
           *           "amount": "2600",
           *           "currency": "CNY"
           *         },
           *         "description": "两碗阳春面",
           *         "merchantName": "李记面馆",
           *         "payer": "*明",
           *         "fee": {
           *           "amount": "16",
           *           "currency": "CNY"
           *         },
           *         "refunded": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "transferId": "0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012",
           *         "paidAt": "2026-12-07T04:12:09.000Z",
           *         "expiresAt": "2026-12-07T06:10:00.000Z",
           *         "createdAt": "2026-12-07T04:10:00.000Z"
           *       },
           *       "createdAt": "2026-12-07T04:20:00.000Z",
           *       "updatedAt": "2026-12-07T04:20:01.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount charged.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Until when the payer may confirm it (ISO 8601), while awaiting confirmation. */
            confirmBy: string | null;
            /** @description When the till sent it (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the till wrote it. */
            description: string | null;
            /** @description The error code that refused the payment (failed). */
            failure: string | null;
            /** @description The charge id. */
            id: string;
            /** @description The merchant charging. */
            merchantName: string;
            /** @description The merchant's order number of this charge. */
            merchantOrderId: string;
            /** @description The order the charge pays. */
            order: {
              /**
               * @description The amount to pay.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Paid through the static code, its own code, or the payer's payment code at a till.
               * @enum {string}
               */
              channel: 'static' | 'dynamic' | 'code';
              /** @description When it was made (ISO 8601). */
              createdAt: string;
              /** @description What it is for, as the merchant wrote it. */
              description: string | null;
              /** @description Until when it can be paid (ISO 8601). */
              expiresAt: string;
              /**
               * @description The discount rate taken (0 until paid).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order id. */
              id: string;
              /** @description The merchant payers see. */
              merchantName: string;
              /** @description The merchant's own order number. */
              merchantOrderId: string;
              /** @description When it was paid (ISO 8601). */
              paidAt: string | null;
              /** @description Who paid, masked (*明 or 138****8000). */
              payer: string | null;
              /**
               * @description Refunded so far (at most the amount).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunded: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
               * @enum {string}
               */
              status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
              /** @description The payment's id in the payer's history. */
              transferId: string | null;
            };
            /** @description What a passkey signs to confirm it: send it to POST /v1/me/confirmations/options. */
            payment: {
              /**
               * @description Integer minor units as a string.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
              /** @description The payment id the Idempotency-Key derives. */
              id: string;
              /** @description Who receives the money, as the payment names it. */
              payee: string;
            };
            /**
             * @description `succeeded`; `awaiting_confirmation` until the payer confirms or declines (at most 60 s, see `confirmBy`); `declined`, `timed_out` or `failed` (`failure`) with nothing moved; `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';
            /** @description When it last changed (ISO 8601). */
            updatedAt: string;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `ORDER_NOT_FOUND`: No such order.
       *     - `CHARGE_NOT_FOUND`: No such charge.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  closeOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
        merchantOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The order, closed. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20",
           *       "merchantOrderId": "A-1001",
           *       "channel": "dynamic",
           *       "status": "closed",
           *       "amount": {
           *         "amount": "3800",
           *         "currency": "CNY"
           *       },
           *       "description": "牛肉面",
           *       "merchantName": "李记面馆",
           *       "payer": null,
           *       "fee": {
           *         "amount": "0",
           *         "currency": "CNY"
           *       },
           *       "refunded": {
           *         "amount": "0",
           *         "currency": "CNY"
           *       },
           *       "transferId": null,
           *       "paidAt": null,
           *       "expiresAt": "2026-12-07T06:10:00.000Z",
           *       "createdAt": "2026-12-07T04:10:00.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount to pay.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /**
             * @description Paid through the static code, its own code, or the payer's payment code at a till.
             * @enum {string}
             */
            channel: 'static' | 'dynamic' | 'code';
            /** @description When it was made (ISO 8601). */
            createdAt: string;
            /** @description What it is for, as the merchant wrote it. */
            description: string | null;
            /** @description Until when it can be paid (ISO 8601). */
            expiresAt: string;
            /**
             * @description The discount rate taken (0 until paid).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            fee: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The order id. */
            id: string;
            /** @description The merchant payers see. */
            merchantName: string;
            /** @description The merchant's own order number. */
            merchantOrderId: string;
            /** @description When it was paid (ISO 8601). */
            paidAt: string | null;
            /** @description Who paid, masked (*明 or 138****8000). */
            payer: string | null;
            /**
             * @description Refunded so far (at most the amount).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            refunded: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /**
             * @description `open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.
             * @enum {string}
             */
            status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
            /** @description The payment's id in the payer's history. */
            transferId: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `ORDER_NOT_FOUND`: No such order.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `ORDER_NOT_CLOSABLE`: Only an order nobody has paid can be closed; details.status says where it is.
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  createRefund: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
        merchantOrderId: string;
      };
      cookie?: never;
    };
    /** @description The refund to make. */
    requestBody: {
      content: {
        /**
         * @example {
         *       "merchantRefundId": "R-1001-1",
         *       "amount": {
         *         "amount": "1000",
         *         "currency": "CNY"
         *       },
         *       "reason": "少了一份卤蛋"
         *     }
         */
        'application/json': {
          /**
           * @description An amount in CNY, from ¥0.01. Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.
           * @example {
           *       "amount": "1234",
           *       "currency": "CNY"
           *     }
           */
          amount: {
            /**
             * @description Integer minor units (fen for CNY) as a string of digits, from 1 to 10000000000: no decimal point, sign or leading zeros.
             * @example 1234
             */
            amount: string;
            /**
             * @description The ISO 4217 currency code: CNY.
             * @example CNY
             * @enum {string}
             */
            currency: 'CNY';
          };
          /** @description The merchant's own refund number: the same one again is the same refund. */
          merchantRefundId: string;
          /** @description Why (at most 100 characters), kept with the refund. */
          reason?: string;
        };
      };
    };
    responses: {
      /** @description The refund, succeeded. */
      201: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5c1-02f3-7a4b-9c5d-6e7f80912a3b",
           *       "merchantRefundId": "R-1001-1",
           *       "merchantOrderId": "A-1001",
           *       "status": "succeeded",
           *       "amount": {
           *         "amount": "1000",
           *         "currency": "CNY"
           *       },
           *       "fee": {
           *         "amount": "6",
           *         "currency": "CNY"
           *       },
           *       "reason": "少了一份卤蛋",
           *       "failure": null,
           *       "createdAt": "2026-12-07T05:01:30.000Z",
           *       "settledAt": "2026-12-07T05:01:30.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount refunded to the payer.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description When it was asked for (ISO 8601). */
            createdAt: string;
            /** @description Why it failed (an error code), when it did. */
            failure: string | null;
            /**
             * @description The part of the payment's fee this refund returns (pro rata).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            fee: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The refund id. */
            id: string;
            /** @description The order it refunds. */
            merchantOrderId: string;
            /** @description The merchant's own refund number. */
            merchantRefundId: string;
            /** @description The merchant's reason, if given. */
            reason: string | null;
            /** @description When it succeeded or failed (ISO 8601). */
            settledAt: string | null;
            /**
             * @description `succeeded` (the money is back with the payer), `failed` (`failure`), `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'succeeded' | 'failed';
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       *     - `RISK_REVIEW_REQUIRED`: This payment needs a review by our risk team and cannot be made now. Contact customer service.
       *     - `RISK_BLOCKED`: This payment was refused to protect your account, and your wallet is frozen. Contact customer service, or unfreeze it with an identity check.
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `ORDER_NOT_FOUND`: No such order.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `ORDER_NOT_PAID`: Only a paid order can be refunded.
       *     - `REFUND_ID_REUSED`: This refund number was used for another refund (another amount or reason).
       *     - `REFUND_EXCEEDS_PAID`: The refunds would pass what was paid; details.remaining says what can still be refunded.
       *     - `MERCHANT_BALANCE_INSUFFICIENT`: The merchant's balance is too low for this refund.
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       *     - `OVERLOADED`: The ledger is busy; retry shortly.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getRefund: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -. */
        merchantOrderId: string;
        /** @description The merchant's own refund number: the same one again is the same refund. */
        merchantRefundId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The refund. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a5c1-02f3-7a4b-9c5d-6e7f80912a3b",
           *       "merchantRefundId": "R-1001-1",
           *       "merchantOrderId": "A-1001",
           *       "status": "succeeded",
           *       "amount": {
           *         "amount": "1000",
           *         "currency": "CNY"
           *       },
           *       "fee": {
           *         "amount": "6",
           *         "currency": "CNY"
           *       },
           *       "reason": "少了一份卤蛋",
           *       "failure": null,
           *       "createdAt": "2026-12-07T05:01:30.000Z",
           *       "settledAt": "2026-12-07T05:01:30.000Z"
           *     }
           */
          'application/json': {
            /**
             * @description The amount refunded to the payer.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description When it was asked for (ISO 8601). */
            createdAt: string;
            /** @description Why it failed (an error code), when it did. */
            failure: string | null;
            /**
             * @description The part of the payment's fee this refund returns (pro rata).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            fee: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The refund id. */
            id: string;
            /** @description The order it refunds. */
            merchantOrderId: string;
            /** @description The merchant's own refund number. */
            merchantRefundId: string;
            /** @description The merchant's reason, if given. */
            reason: string | null;
            /** @description When it succeeded or failed (ISO 8601). */
            settledAt: string | null;
            /**
             * @description `succeeded` (the money is back with the payer), `failed` (`failure`), `pending` while it runs.
             * @enum {string}
             */
            status: 'pending' | 'succeeded' | 'failed';
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `ORDER_NOT_FOUND`: No such order.
       *     - `REFUND_NOT_FOUND`: No such refund.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  listSettlements: {
    parameters: {
      query?: {
        /** @description Only those started before this instant (the last `createdAt` of a page). */
        before?: string;
        /** @description At most this many (1–100, default 20). */
        limit?: number;
      };
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of settlements. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "settlements": [
           *         {
           *           "id": "0193a6f0-5e6f-7a80-9b1c-2d3e4f5a6b7c",
           *           "trigger": "on_demand",
           *           "businessDate": null,
           *           "status": "succeeded",
           *           "amount": {
           *             "amount": "1254380",
           *             "currency": "CNY"
           *           },
           *           "card": {
           *             "id": "0193a0c2-3d4e-7f50-8a61-b2c3d4e5f607",
           *             "maskedNumber": "6222 **** **** 7894",
           *             "last4": "7894",
           *             "bankCode": "ICBC",
           *             "bankName": {
           *               "zh": "中国工商银行",
           *               "en": "Industrial and Commercial Bank of China"
           *             }
           *           },
           *           "failure": null,
           *           "bankReference": "ICBC20261207180301442",
           *           "createdAt": "2026-12-07T10:03:00.000Z",
           *           "completedAt": "2026-12-07T10:03:01.000Z",
           *           "timeline": [
           *             {
           *               "state": "created",
           *               "status": "processing",
           *               "at": "2026-12-07T10:03:00.000Z"
           *             },
           *             {
           *               "state": "held",
           *               "status": "processing",
           *               "at": "2026-12-07T10:03:00.000Z"
           *             },
           *             {
           *               "state": "bank_pending",
           *               "status": "processing",
           *               "at": "2026-12-07T10:03:00.000Z"
           *             },
           *             {
           *               "state": "succeeded",
           *               "status": "succeeded",
           *               "at": "2026-12-07T10:03:01.000Z"
           *             }
           *           ]
           *         }
           *       ]
           *     }
           */
          'application/json': {
            /** @description Newest first. */
            settlements: {
              /**
               * @description The amount paid out of the balance to the card.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The bank's reference, once the bank answered. */
              bankReference: string | null;
              /** @description The day a daily settlement settled (YYYY-MM-DD, Asia/Shanghai); null on demand. */
              businessDate: string | null;
              /** @description The settlement card it was paid to. */
              card: {
                /** @description The issuing bank’s code, e.g. `ICBC`. */
                bankCode: string;
                /** @description The issuing bank’s name. */
                bankName: {
                  /** @description In English. */
                  en: string;
                  /** @description In Chinese. */
                  zh: string;
                };
                /** @description The bound card id (GET /v1/me/cards). */
                id: string;
                /** @description The last 4 digits. */
                last4: string;
                /** @description The card number, masked: `6222 **** **** 7894`. */
                maskedNumber: string;
              };
              /** @description When it succeeded or failed (ISO 8601). */
              completedAt: string | null;
              /** @description When it started (ISO 8601). */
              createdAt: string;
              /** @description Why it failed; null unless `failed`. */
              failure: {
                /** @description The error code (docs/api/errors.md). */
                code: string;
                /** @description As the error answers it, e.g. `reason`. */
                details: {
                  [key: string]: unknown;
                };
              } | null;
              /** @description The settlement id. */
              id: string;
              /**
               * @description `processing` until the bank answers (poll GET /v1/me/merchant/settlements/:id), then `succeeded` (the money is on the card) or `failed` (`failure`; the money is back in the balance).
               * @enum {string}
               */
              status: 'processing' | 'succeeded' | 'failed';
              /** @description Every step, in order. */
              timeline: {
                /** @description When (ISO 8601). */
                at: string;
                /** @description Why, for failures and recoveries (a code). */
                note?: string;
                /**
                 * @description The step reached.
                 * @enum {string}
                 */
                state: 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
                /**
                 * @description The status it meant.
                 * @enum {string}
                 */
                status: 'processing' | 'succeeded' | 'failed';
              }[];
              /**
               * @description `on_demand` (POST /v1/me/merchant/settlements) or `daily` (the T+1 job at 02:00 Asia/Shanghai).
               * @enum {string}
               */
              trigger: 'on_demand' | 'daily';
            }[];
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  createSettlement: {
    parameters: {
      query?: never;
      header: {
        /** @description Required: a key of your own for this request (a UUID is fine), at most 255 characters. The same key and body again answer the first answer (`Idempotency-Replayed: true`); another body with it is 422 IDEMPOTENCY_KEY_REUSED; while the first runs, 409 IDEMPOTENCY_REQUEST_IN_FLIGHT. */
        'Idempotency-Key': string;
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path?: never;
      cookie?: never;
    };
    /** @description Empty to settle the whole balance. */
    requestBody: {
      content: {
        /**
         * @example {
         *       "amount": {
         *         "amount": "1254380",
         *         "currency": "CNY"
         *       }
         *     }
         */
        'application/json': {
          /**
           * @description How much to settle, at most the available balance; omit it to settle all of it. Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.
           * @example {
           *       "amount": "1234",
           *       "currency": "CNY"
           *     }
           */
          amount?: {
            /**
             * @description Integer minor units (fen for CNY) as a string of digits, from 1 to 100000000: no decimal point, sign or leading zeros.
             * @example 1234
             */
            amount: string;
            /**
             * @description The ISO 4217 currency code: CNY.
             * @example CNY
             * @enum {string}
             */
            currency: 'CNY';
          };
        };
      };
    };
    responses: {
      /** @description Paid to the card: the settlement `succeeded`. */
      201: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a6f0-5e6f-7a80-9b1c-2d3e4f5a6b7c",
           *       "trigger": "on_demand",
           *       "businessDate": null,
           *       "status": "succeeded",
           *       "amount": {
           *         "amount": "1254380",
           *         "currency": "CNY"
           *       },
           *       "card": {
           *         "id": "0193a0c2-3d4e-7f50-8a61-b2c3d4e5f607",
           *         "maskedNumber": "6222 **** **** 7894",
           *         "last4": "7894",
           *         "bankCode": "ICBC",
           *         "bankName": {
           *           "zh": "中国工商银行",
           *           "en": "Industrial and Commercial Bank of China"
           *         }
           *       },
           *       "failure": null,
           *       "bankReference": "ICBC20261207180301442",
           *       "createdAt": "2026-12-07T10:03:00.000Z",
           *       "completedAt": "2026-12-07T10:03:01.000Z",
           *       "timeline": [
           *         {
           *           "state": "created",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "held",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "bank_pending",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "succeeded",
           *           "status": "succeeded",
           *           "at": "2026-12-07T10:03:01.000Z"
           *         }
           *       ]
           *     }
           */
          'application/json': {
            /**
             * @description The amount paid out of the balance to the card.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The bank's reference, once the bank answered. */
            bankReference: string | null;
            /** @description The day a daily settlement settled (YYYY-MM-DD, Asia/Shanghai); null on demand. */
            businessDate: string | null;
            /** @description The settlement card it was paid to. */
            card: {
              /** @description The issuing bank’s code, e.g. `ICBC`. */
              bankCode: string;
              /** @description The issuing bank’s name. */
              bankName: {
                /** @description In English. */
                en: string;
                /** @description In Chinese. */
                zh: string;
              };
              /** @description The bound card id (GET /v1/me/cards). */
              id: string;
              /** @description The last 4 digits. */
              last4: string;
              /** @description The card number, masked: `6222 **** **** 7894`. */
              maskedNumber: string;
            };
            /** @description When it succeeded or failed (ISO 8601). */
            completedAt: string | null;
            /** @description When it started (ISO 8601). */
            createdAt: string;
            /** @description Why it failed; null unless `failed`. */
            failure: {
              /** @description The error code (docs/api/errors.md). */
              code: string;
              /** @description As the error answers it, e.g. `reason`. */
              details: {
                [key: string]: unknown;
              };
            } | null;
            /** @description The settlement id. */
            id: string;
            /**
             * @description `processing` until the bank answers (poll GET /v1/me/merchant/settlements/:id), then `succeeded` (the money is on the card) or `failed` (`failure`; the money is back in the balance).
             * @enum {string}
             */
            status: 'processing' | 'succeeded' | 'failed';
            /** @description Every step, in order. */
            timeline: {
              /** @description When (ISO 8601). */
              at: string;
              /** @description Why, for failures and recoveries (a code). */
              note?: string;
              /**
               * @description The step reached.
               * @enum {string}
               */
              state: 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
              /**
               * @description The status it meant.
               * @enum {string}
               */
              status: 'processing' | 'succeeded' | 'failed';
            }[];
            /**
             * @description `on_demand` (POST /v1/me/merchant/settlements) or `daily` (the T+1 job at 02:00 Asia/Shanghai).
             * @enum {string}
             */
            trigger: 'on_demand' | 'daily';
          };
        };
      };
      /** @description The bank has not answered yet (`processing`): poll it. */
      202: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a6f0-5e6f-7a80-9b1c-2d3e4f5a6b7c",
           *       "trigger": "on_demand",
           *       "businessDate": null,
           *       "status": "processing",
           *       "amount": {
           *         "amount": "1254380",
           *         "currency": "CNY"
           *       },
           *       "card": {
           *         "id": "0193a0c2-3d4e-7f50-8a61-b2c3d4e5f607",
           *         "maskedNumber": "6222 **** **** 7894",
           *         "last4": "7894",
           *         "bankCode": "ICBC",
           *         "bankName": {
           *           "zh": "中国工商银行",
           *           "en": "Industrial and Commercial Bank of China"
           *         }
           *       },
           *       "failure": null,
           *       "bankReference": null,
           *       "createdAt": "2026-12-07T10:03:00.000Z",
           *       "completedAt": null,
           *       "timeline": [
           *         {
           *           "state": "created",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "held",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "bank_pending",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         }
           *       ]
           *     }
           */
          'application/json': {
            /**
             * @description The amount paid out of the balance to the card.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The bank's reference, once the bank answered. */
            bankReference: string | null;
            /** @description The day a daily settlement settled (YYYY-MM-DD, Asia/Shanghai); null on demand. */
            businessDate: string | null;
            /** @description The settlement card it was paid to. */
            card: {
              /** @description The issuing bank’s code, e.g. `ICBC`. */
              bankCode: string;
              /** @description The issuing bank’s name. */
              bankName: {
                /** @description In English. */
                en: string;
                /** @description In Chinese. */
                zh: string;
              };
              /** @description The bound card id (GET /v1/me/cards). */
              id: string;
              /** @description The last 4 digits. */
              last4: string;
              /** @description The card number, masked: `6222 **** **** 7894`. */
              maskedNumber: string;
            };
            /** @description When it succeeded or failed (ISO 8601). */
            completedAt: string | null;
            /** @description When it started (ISO 8601). */
            createdAt: string;
            /** @description Why it failed; null unless `failed`. */
            failure: {
              /** @description The error code (docs/api/errors.md). */
              code: string;
              /** @description As the error answers it, e.g. `reason`. */
              details: {
                [key: string]: unknown;
              };
            } | null;
            /** @description The settlement id. */
            id: string;
            /**
             * @description `processing` until the bank answers (poll GET /v1/me/merchant/settlements/:id), then `succeeded` (the money is on the card) or `failed` (`failure`; the money is back in the balance).
             * @enum {string}
             */
            status: 'processing' | 'succeeded' | 'failed';
            /** @description Every step, in order. */
            timeline: {
              /** @description When (ISO 8601). */
              at: string;
              /** @description Why, for failures and recoveries (a code). */
              note?: string;
              /**
               * @description The step reached.
               * @enum {string}
               */
              state: 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
              /**
               * @description The status it meant.
               * @enum {string}
               */
              status: 'processing' | 'succeeded' | 'failed';
            }[];
            /**
             * @description `on_demand` (POST /v1/me/merchant/settlements) or `daily` (the T+1 job at 02:00 Asia/Shanghai).
             * @enum {string}
             */
            trigger: 'on_demand' | 'daily';
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       *     - `IDEMPOTENCY_KEY_REQUIRED`: This request moves money: send an Idempotency-Key header (at most 255 characters).
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       *     - `MERCHANT_NOT_ACTIVE`: This merchant cannot take payments now.
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `IDEMPOTENCY_REQUEST_IN_FLIGHT`: The first request with this Idempotency-Key is still running; retry shortly.
       *     - `SETTLEMENT_CARD_REQUIRED`: Name a settlement card first (PUT /v1/me/merchant/settlement-card); the one named was unbound.
       *     - `SETTLEMENT_NOTHING_TO_SETTLE`: The merchant's balance has nothing to settle.
       *     - `SETTLEMENT_EXCEEDS_BALANCE`: The amount is more than the merchant's balance can settle; details.available says what can.
       *     - `SETTLEMENT_IN_PROGRESS`: A settlement of this merchant is still running (details.settlementId); wait for it to end.
       *     - `SETTLEMENT_INTERRUPTED`: The settlement was interrupted before the bank saw it and was cancelled; the money is back in the balance.
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Refused. This operation answers:
       *
       *     - `IDEMPOTENCY_KEY_REUSED`: This Idempotency-Key was used with a different request; use a new key.
       *     - `SETTLEMENT_DECLINED`: The bank refused to pay the settlement card (details.reason); the money is back in the balance.
       */
      422: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       *     - `BANK_UNAVAILABLE`: The bank is unavailable right now; nothing was done. Try again in a few minutes.
       *     - `OVERLOADED`: The ledger is busy; retry shortly.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getSettlement: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The settlement id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The settlement as it stands. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "0193a6f0-5e6f-7a80-9b1c-2d3e4f5a6b7c",
           *       "trigger": "on_demand",
           *       "businessDate": null,
           *       "status": "succeeded",
           *       "amount": {
           *         "amount": "1254380",
           *         "currency": "CNY"
           *       },
           *       "card": {
           *         "id": "0193a0c2-3d4e-7f50-8a61-b2c3d4e5f607",
           *         "maskedNumber": "6222 **** **** 7894",
           *         "last4": "7894",
           *         "bankCode": "ICBC",
           *         "bankName": {
           *           "zh": "中国工商银行",
           *           "en": "Industrial and Commercial Bank of China"
           *         }
           *       },
           *       "failure": null,
           *       "bankReference": "ICBC20261207180301442",
           *       "createdAt": "2026-12-07T10:03:00.000Z",
           *       "completedAt": "2026-12-07T10:03:01.000Z",
           *       "timeline": [
           *         {
           *           "state": "created",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "held",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "bank_pending",
           *           "status": "processing",
           *           "at": "2026-12-07T10:03:00.000Z"
           *         },
           *         {
           *           "state": "succeeded",
           *           "status": "succeeded",
           *           "at": "2026-12-07T10:03:01.000Z"
           *         }
           *       ]
           *     }
           */
          'application/json': {
            /**
             * @description The amount paid out of the balance to the card.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            amount: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The bank's reference, once the bank answered. */
            bankReference: string | null;
            /** @description The day a daily settlement settled (YYYY-MM-DD, Asia/Shanghai); null on demand. */
            businessDate: string | null;
            /** @description The settlement card it was paid to. */
            card: {
              /** @description The issuing bank’s code, e.g. `ICBC`. */
              bankCode: string;
              /** @description The issuing bank’s name. */
              bankName: {
                /** @description In English. */
                en: string;
                /** @description In Chinese. */
                zh: string;
              };
              /** @description The bound card id (GET /v1/me/cards). */
              id: string;
              /** @description The last 4 digits. */
              last4: string;
              /** @description The card number, masked: `6222 **** **** 7894`. */
              maskedNumber: string;
            };
            /** @description When it succeeded or failed (ISO 8601). */
            completedAt: string | null;
            /** @description When it started (ISO 8601). */
            createdAt: string;
            /** @description Why it failed; null unless `failed`. */
            failure: {
              /** @description The error code (docs/api/errors.md). */
              code: string;
              /** @description As the error answers it, e.g. `reason`. */
              details: {
                [key: string]: unknown;
              };
            } | null;
            /** @description The settlement id. */
            id: string;
            /**
             * @description `processing` until the bank answers (poll GET /v1/me/merchant/settlements/:id), then `succeeded` (the money is on the card) or `failed` (`failure`; the money is back in the balance).
             * @enum {string}
             */
            status: 'processing' | 'succeeded' | 'failed';
            /** @description Every step, in order. */
            timeline: {
              /** @description When (ISO 8601). */
              at: string;
              /** @description Why, for failures and recoveries (a code). */
              note?: string;
              /**
               * @description The step reached.
               * @enum {string}
               */
              state: 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
              /**
               * @description The status it meant.
               * @enum {string}
               */
              status: 'processing' | 'succeeded' | 'failed';
            }[];
            /**
             * @description `on_demand` (POST /v1/me/merchant/settlements) or `daily` (the T+1 job at 02:00 Asia/Shanghai).
             * @enum {string}
             */
            trigger: 'on_demand' | 'daily';
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `SETTLEMENT_NOT_FOUND`: No such settlement.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getStatement: {
    parameters: {
      query?: {
        /** @description `json` (default), `csv` or `pdf`. */
        format?: 'json' | 'csv' | 'pdf';
      };
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The calendar day, YYYY-MM-DD (Asia/Shanghai). */
        date: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The statement in the format asked for: this JSON (`format=json`), or its CSV (`text/csv`, UTF-8 with a BOM) or PDF (`application/pdf`) rendering. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "merchant": {
           *         "id": "0193a400-0000-7000-8000-00000000c0de",
           *         "name": "李记面馆"
           *       },
           *       "date": "2026-12-07",
           *       "openingBalance": {
           *         "amount": "120000",
           *         "currency": "CNY"
           *       },
           *       "closingBalance": {
           *         "amount": "122783",
           *         "currency": "CNY"
           *       },
           *       "payments": [
           *         {
           *           "at": "2026-12-07T04:12:09.000Z",
           *           "merchantOrderId": "A-1001",
           *           "payer": "*明",
           *           "amount": {
           *             "amount": "3800",
           *             "currency": "CNY"
           *           },
           *           "fee": {
           *             "amount": "23",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "3777",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "refunds": [
           *         {
           *           "at": "2026-12-07T05:01:30.000Z",
           *           "merchantRefundId": "R-1001-1",
           *           "merchantOrderId": "A-1001",
           *           "amount": {
           *             "amount": "1000",
           *             "currency": "CNY"
           *           },
           *           "feeReturned": {
           *             "amount": "6",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "994",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "settlements": [],
           *       "others": [],
           *       "totals": {
           *         "payments": {
           *           "amount": "3800",
           *           "currency": "CNY"
           *         },
           *         "fees": {
           *           "amount": "23",
           *           "currency": "CNY"
           *         },
           *         "refunds": {
           *           "amount": "1000",
           *           "currency": "CNY"
           *         },
           *         "feesReturned": {
           *           "amount": "6",
           *           "currency": "CNY"
           *         },
           *         "settlements": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "others": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "net": {
           *           "amount": "2783",
           *           "currency": "CNY"
           *         }
           *       }
           *     }
           */
          'application/json': {
            /**
             * @description The balance at the end of the day (or now, today).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            closingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The day (YYYY-MM-DD, Asia/Shanghai). */
            date: string;
            /** @description Whose statement it is. */
            merchant: {
              /** @description The merchant id. */
              id: string;
              /** @description The merchant’s name. */
              name: string;
            };
            /**
             * @description The balance at the start of the day.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            openingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Any other movement of the balance (an operator’s correction), in order. */
            others: {
              /**
               * @description Signed: positive into the balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The ledger transfer code. */
              code: number;
              /** @description The ledger transfer. */
              transferId: string;
            }[];
            /** @description The payments of the day, in order. */
            payments: {
              /**
               * @description What the payer paid.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The discount rate taken.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order paid. */
              merchantOrderId: string;
              /**
               * @description What reached the balance: amount − fee.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description Who paid, masked (`*明`). */
              payer: string;
            }[];
            /** @description The refunds of the day, in order. */
            refunds: {
              /**
               * @description What the payer got back.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The part of the fee the refund returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feeReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order refunded. */
              merchantOrderId: string;
              /** @description The merchant’s refund number. */
              merchantRefundId: string;
              /**
               * @description What left the balance: amount − fee returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            }[];
            /** @description The settlements posted that day, in order. */
            settlements: {
              /**
               * @description What left the balance to the card.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The last 4 digits of the card paid. */
              cardLast4: string;
              /** @description The settlement id. */
              settlementId: string;
            }[];
            /** @description The day’s totals. */
            totals: {
              /**
               * @description Sum of their fees.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fees: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the fees the refunds returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feesReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Closing − opening balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the other movements (signed).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              others: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the payments.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              payments: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the refunds.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunds: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the settlements.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              settlements: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            };
          };
          /**
           * @example {
           *       "merchant": {
           *         "id": "0193a400-0000-7000-8000-00000000c0de",
           *         "name": "李记面馆"
           *       },
           *       "date": "2026-12-07",
           *       "openingBalance": {
           *         "amount": "120000",
           *         "currency": "CNY"
           *       },
           *       "closingBalance": {
           *         "amount": "122783",
           *         "currency": "CNY"
           *       },
           *       "payments": [
           *         {
           *           "at": "2026-12-07T04:12:09.000Z",
           *           "merchantOrderId": "A-1001",
           *           "payer": "*明",
           *           "amount": {
           *             "amount": "3800",
           *             "currency": "CNY"
           *           },
           *           "fee": {
           *             "amount": "23",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "3777",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "refunds": [
           *         {
           *           "at": "2026-12-07T05:01:30.000Z",
           *           "merchantRefundId": "R-1001-1",
           *           "merchantOrderId": "A-1001",
           *           "amount": {
           *             "amount": "1000",
           *             "currency": "CNY"
           *           },
           *           "feeReturned": {
           *             "amount": "6",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "994",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "settlements": [],
           *       "others": [],
           *       "totals": {
           *         "payments": {
           *           "amount": "3800",
           *           "currency": "CNY"
           *         },
           *         "fees": {
           *           "amount": "23",
           *           "currency": "CNY"
           *         },
           *         "refunds": {
           *           "amount": "1000",
           *           "currency": "CNY"
           *         },
           *         "feesReturned": {
           *           "amount": "6",
           *           "currency": "CNY"
           *         },
           *         "settlements": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "others": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "net": {
           *           "amount": "2783",
           *           "currency": "CNY"
           *         }
           *       }
           *     }
           */
          'application/pdf': {
            /**
             * @description The balance at the end of the day (or now, today).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            closingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The day (YYYY-MM-DD, Asia/Shanghai). */
            date: string;
            /** @description Whose statement it is. */
            merchant: {
              /** @description The merchant id. */
              id: string;
              /** @description The merchant’s name. */
              name: string;
            };
            /**
             * @description The balance at the start of the day.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            openingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Any other movement of the balance (an operator’s correction), in order. */
            others: {
              /**
               * @description Signed: positive into the balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The ledger transfer code. */
              code: number;
              /** @description The ledger transfer. */
              transferId: string;
            }[];
            /** @description The payments of the day, in order. */
            payments: {
              /**
               * @description What the payer paid.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The discount rate taken.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order paid. */
              merchantOrderId: string;
              /**
               * @description What reached the balance: amount − fee.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description Who paid, masked (`*明`). */
              payer: string;
            }[];
            /** @description The refunds of the day, in order. */
            refunds: {
              /**
               * @description What the payer got back.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The part of the fee the refund returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feeReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order refunded. */
              merchantOrderId: string;
              /** @description The merchant’s refund number. */
              merchantRefundId: string;
              /**
               * @description What left the balance: amount − fee returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            }[];
            /** @description The settlements posted that day, in order. */
            settlements: {
              /**
               * @description What left the balance to the card.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The last 4 digits of the card paid. */
              cardLast4: string;
              /** @description The settlement id. */
              settlementId: string;
            }[];
            /** @description The day’s totals. */
            totals: {
              /**
               * @description Sum of their fees.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fees: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the fees the refunds returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feesReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Closing − opening balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the other movements (signed).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              others: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the payments.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              payments: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the refunds.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunds: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the settlements.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              settlements: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            };
          };
          /**
           * @example {
           *       "merchant": {
           *         "id": "0193a400-0000-7000-8000-00000000c0de",
           *         "name": "李记面馆"
           *       },
           *       "date": "2026-12-07",
           *       "openingBalance": {
           *         "amount": "120000",
           *         "currency": "CNY"
           *       },
           *       "closingBalance": {
           *         "amount": "122783",
           *         "currency": "CNY"
           *       },
           *       "payments": [
           *         {
           *           "at": "2026-12-07T04:12:09.000Z",
           *           "merchantOrderId": "A-1001",
           *           "payer": "*明",
           *           "amount": {
           *             "amount": "3800",
           *             "currency": "CNY"
           *           },
           *           "fee": {
           *             "amount": "23",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "3777",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "refunds": [
           *         {
           *           "at": "2026-12-07T05:01:30.000Z",
           *           "merchantRefundId": "R-1001-1",
           *           "merchantOrderId": "A-1001",
           *           "amount": {
           *             "amount": "1000",
           *             "currency": "CNY"
           *           },
           *           "feeReturned": {
           *             "amount": "6",
           *             "currency": "CNY"
           *           },
           *           "net": {
           *             "amount": "994",
           *             "currency": "CNY"
           *           }
           *         }
           *       ],
           *       "settlements": [],
           *       "others": [],
           *       "totals": {
           *         "payments": {
           *           "amount": "3800",
           *           "currency": "CNY"
           *         },
           *         "fees": {
           *           "amount": "23",
           *           "currency": "CNY"
           *         },
           *         "refunds": {
           *           "amount": "1000",
           *           "currency": "CNY"
           *         },
           *         "feesReturned": {
           *           "amount": "6",
           *           "currency": "CNY"
           *         },
           *         "settlements": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "others": {
           *           "amount": "0",
           *           "currency": "CNY"
           *         },
           *         "net": {
           *           "amount": "2783",
           *           "currency": "CNY"
           *         }
           *       }
           *     }
           */
          'text/csv': {
            /**
             * @description The balance at the end of the day (or now, today).
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            closingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description The day (YYYY-MM-DD, Asia/Shanghai). */
            date: string;
            /** @description Whose statement it is. */
            merchant: {
              /** @description The merchant id. */
              id: string;
              /** @description The merchant’s name. */
              name: string;
            };
            /**
             * @description The balance at the start of the day.
             * @example {
             *       "amount": "1234",
             *       "currency": "CNY"
             *     }
             */
            openingBalance: {
              /**
               * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
               * @example 1234
               */
              amount: string;
              /**
               * @description The ISO 4217 currency code.
               * @example CNY
               */
              currency: string;
            };
            /** @description Any other movement of the balance (an operator’s correction), in order. */
            others: {
              /**
               * @description Signed: positive into the balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The ledger transfer code. */
              code: number;
              /** @description The ledger transfer. */
              transferId: string;
            }[];
            /** @description The payments of the day, in order. */
            payments: {
              /**
               * @description What the payer paid.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The discount rate taken.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fee: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order paid. */
              merchantOrderId: string;
              /**
               * @description What reached the balance: amount − fee.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description Who paid, masked (`*明`). */
              payer: string;
            }[];
            /** @description The refunds of the day, in order. */
            refunds: {
              /**
               * @description What the payer got back.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /**
               * @description The part of the fee the refund returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feeReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description The order refunded. */
              merchantOrderId: string;
              /** @description The merchant’s refund number. */
              merchantRefundId: string;
              /**
               * @description What left the balance: amount − fee returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            }[];
            /** @description The settlements posted that day, in order. */
            settlements: {
              /**
               * @description What left the balance to the card.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              amount: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /** @description When it was posted (ISO 8601). */
              at: string;
              /** @description The last 4 digits of the card paid. */
              cardLast4: string;
              /** @description The settlement id. */
              settlementId: string;
            }[];
            /** @description The day’s totals. */
            totals: {
              /**
               * @description Sum of their fees.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              fees: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the fees the refunds returned.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              feesReturned: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Closing − opening balance.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              net: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the other movements (signed).
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              others: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the payments.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              payments: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the refunds.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              refunds: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
              /**
               * @description Sum of the settlements.
               * @example {
               *       "amount": "1234",
               *       "currency": "CNY"
               *     }
               */
              settlements: {
                /**
                 * @description Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.
                 * @example 1234
                 */
                amount: string;
                /**
                 * @description The ISO 4217 currency code.
                 * @example CNY
                 */
                currency: string;
              };
            };
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       *     - `STATEMENT_DATE_INVALID`: A statement is for a calendar day (YYYY-MM-DD, Asia/Shanghai) from the merchant’s opening to today.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Refused. This operation answers:
       *
       *     - `STATEMENT_TOO_LARGE`: This day has more movements than one statement holds; ask support for an export.
       */
      422: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'application/pdf': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
          'text/csv': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  getWebhookDelivery: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The delivery’s id: the `webhook-id` header it was posted with. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The delivery and its attempts. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "msg_5f0c9a2e4b1d4c7e8a3f6b9d2e1c0a47",
           *       "endpointId": "0193a700-1b2c-7d3e-8f4a-5b6c7d8e9f01",
           *       "eventId": "evt_0193a5b41d2e7f308a415c6d7e8f9012",
           *       "eventType": "payment.succeeded",
           *       "status": "succeeded",
           *       "attempts": [
           *         {
           *           "n": 1,
           *           "at": "2026-12-07T04:12:10.000Z",
           *           "statusCode": 200,
           *           "durationMs": 84,
           *           "error": null,
           *           "trigger": "auto"
           *         }
           *       ],
           *       "nextAttemptAt": null,
           *       "lastStatusCode": 200,
           *       "lastError": null,
           *       "lastAttemptAt": "2026-12-07T04:12:10.000Z",
           *       "createdAt": "2026-12-07T04:12:09.000Z",
           *       "succeededAt": "2026-12-07T04:12:10.000Z",
           *       "body": "{\"id\":\"evt_0193a5b41d2e7f308a415c6d7e8f9012\",\"type\":\"payment.succeeded\",\"created\":\"2026-12-07T04:12:09.000Z\",\"data\":{\"merchantOrderId\":\"A-1001\",\"orderId\":\"0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20\",\"amount\":{\"amount\":\"3800\",\"currency\":\"CNY\"},\"status\":\"paid\"}}"
           *     }
           */
          'application/json': {
            /** @description Every attempt, oldest first. */
            attempts: {
              /** @description When it was made (ISO 8601). */
              at: string;
              /** @description How long the endpoint took to answer. */
              durationMs: number;
              /** @description Why it got no status (timeout, refused …). */
              error: string | null;
              /** @description Its number, from 1. */
              n: number;
              /** @description The HTTP status it got; null if none. */
              statusCode: number | null;
              /**
               * @description `auto` (the schedule) or `resend` (POST …/resend).
               * @enum {string}
               */
              trigger: 'auto' | 'resend';
            }[];
            /** @description The JSON posted, byte for byte (what the signature covers). */
            body: string;
            /** @description When the event was written for this endpoint (ISO 8601). */
            createdAt: string;
            /** @description The endpoint it is posted to. */
            endpointId: string;
            /** @description The event’s id, `evt_…`: the `id` in the body. */
            eventId: string;
            /** @description The event’s type, e.g. `payment.succeeded`. */
            eventType: string;
            /** @description The delivery id, `msg_…`: the `webhook-id` of every attempt (your dedupe key). */
            id: string;
            /** @description When the last attempt was made (ISO 8601). */
            lastAttemptAt: string | null;
            /** @description Why the last attempt failed without a status (timeout, refused …). */
            lastError: string | null;
            /** @description The HTTP status the last attempt got; null if it got none. */
            lastStatusCode: number | null;
            /** @description When the next automatic attempt is due (ISO 8601). */
            nextAttemptAt: string | null;
            /**
             * @description `pending` while attempts remain (`nextAttemptAt`), `succeeded` once an attempt got a 2xx, `failed` after the last attempt.
             * @enum {string}
             */
            status: 'pending' | 'succeeded' | 'failed';
            /** @description When an attempt succeeded (ISO 8601). */
            succeededAt: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `WEBHOOK_DELIVERY_NOT_FOUND`: No such webhook delivery of this merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  resendWebhookDelivery: {
    parameters: {
      query?: never;
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The delivery’s id: the `webhook-id` header it was posted with. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The delivery after the attempt. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "msg_5f0c9a2e4b1d4c7e8a3f6b9d2e1c0a47",
           *       "endpointId": "0193a700-1b2c-7d3e-8f4a-5b6c7d8e9f01",
           *       "eventId": "evt_0193a5b41d2e7f308a415c6d7e8f9012",
           *       "eventType": "payment.succeeded",
           *       "status": "succeeded",
           *       "attempts": 2,
           *       "nextAttemptAt": null,
           *       "lastStatusCode": 200,
           *       "lastError": null,
           *       "lastAttemptAt": "2026-12-07T09:30:00.000Z",
           *       "createdAt": "2026-12-07T04:12:09.000Z",
           *       "succeededAt": "2026-12-07T04:12:10.000Z",
           *       "body": "{\"id\":\"evt_0193a5b41d2e7f308a415c6d7e8f9012\",\"type\":\"payment.succeeded\",\"created\":\"2026-12-07T04:12:09.000Z\",\"data\":{\"merchantOrderId\":\"A-1001\",\"orderId\":\"0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20\",\"amount\":{\"amount\":\"3800\",\"currency\":\"CNY\"},\"status\":\"paid\"}}"
           *     }
           */
          'application/json': {
            /** @description How many attempts were made (re-sends included). */
            attempts: number;
            /** @description The JSON posted, byte for byte (what the signature covers). */
            body: string;
            /** @description When the event was written for this endpoint (ISO 8601). */
            createdAt: string;
            /** @description The endpoint it is posted to. */
            endpointId: string;
            /** @description The event’s id, `evt_…`: the `id` in the body. */
            eventId: string;
            /** @description The event’s type, e.g. `payment.succeeded`. */
            eventType: string;
            /** @description The delivery id, `msg_…`: the `webhook-id` of every attempt (your dedupe key). */
            id: string;
            /** @description When the last attempt was made (ISO 8601). */
            lastAttemptAt: string | null;
            /** @description Why the last attempt failed without a status (timeout, refused …). */
            lastError: string | null;
            /** @description The HTTP status the last attempt got; null if it got none. */
            lastStatusCode: number | null;
            /** @description When the next automatic attempt is due (ISO 8601). */
            nextAttemptAt: string | null;
            /**
             * @description `pending` while attempts remain (`nextAttemptAt`), `succeeded` once an attempt got a 2xx, `failed` after the last attempt.
             * @enum {string}
             */
            status: 'pending' | 'succeeded' | 'failed';
            /** @description When an attempt succeeded (ISO 8601). */
            succeededAt: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `WEBHOOK_DELIVERY_NOT_FOUND`: No such webhook delivery of this merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Conflicts with the current state. This operation answers:
       *
       *     - `WEBHOOK_DELIVERY_IN_PROGRESS`: The delivery is being posted right now; look again in a moment (Retry-After).
       */
      409: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description The body is too large. This operation answers:
       *
       *     - `PAYLOAD_TOO_LARGE`: The request body is too large.
       */
      413: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not JSON: send `content-type: application/json`. This operation answers:
       *
       *     - `UNSUPPORTED_MEDIA_TYPE`: Unsupported Content-Type; send application/json.
       */
      415: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
  listWebhookDeliveries: {
    parameters: {
      query?: {
        /** @description The `nextCursor` of the page before. */
        cursor?: string;
        /** @description At most this many (1–100, default 50). */
        limit?: number;
      };
      header?: {
        /** @description A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access (403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own merchant. Staff: the merchant they act for. */
        'qianbao-merchant'?: string;
        /** @description The API version to answer in, a date (YYYY-MM-DD): 2026-12-07. Without it, the newest (2026-12-07); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on the version it was written for (docs/api/versioning.md). */
        'Qianbao-Version'?: '2026-12-07';
      };
      path: {
        /** @description The endpoint’s id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of deliveries. */
      200: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "deliveries": [
           *         {
           *           "id": "msg_5f0c9a2e4b1d4c7e8a3f6b9d2e1c0a47",
           *           "endpointId": "0193a700-1b2c-7d3e-8f4a-5b6c7d8e9f01",
           *           "eventId": "evt_0193a5b41d2e7f308a415c6d7e8f9012",
           *           "eventType": "payment.succeeded",
           *           "status": "succeeded",
           *           "attempts": 1,
           *           "nextAttemptAt": null,
           *           "lastStatusCode": 200,
           *           "lastError": null,
           *           "lastAttemptAt": "2026-12-07T04:12:10.000Z",
           *           "createdAt": "2026-12-07T04:12:09.000Z",
           *           "succeededAt": "2026-12-07T04:12:10.000Z",
           *           "body": "{\"id\":\"evt_0193a5b41d2e7f308a415c6d7e8f9012\",\"type\":\"payment.succeeded\",\"created\":\"2026-12-07T04:12:09.000Z\",\"data\":{\"merchantOrderId\":\"A-1001\",\"orderId\":\"0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20\",\"amount\":{\"amount\":\"3800\",\"currency\":\"CNY\"},\"status\":\"paid\"}}"
           *         }
           *       ],
           *       "nextCursor": null
           *     }
           */
          'application/json': {
            /** @description Newest first. */
            deliveries: {
              /** @description How many attempts were made (re-sends included). */
              attempts: number;
              /** @description The JSON posted, byte for byte (what the signature covers). */
              body: string;
              /** @description When the event was written for this endpoint (ISO 8601). */
              createdAt: string;
              /** @description The endpoint it is posted to. */
              endpointId: string;
              /** @description The event’s id, `evt_…`: the `id` in the body. */
              eventId: string;
              /** @description The event’s type, e.g. `payment.succeeded`. */
              eventType: string;
              /** @description The delivery id, `msg_…`: the `webhook-id` of every attempt (your dedupe key). */
              id: string;
              /** @description When the last attempt was made (ISO 8601). */
              lastAttemptAt: string | null;
              /** @description Why the last attempt failed without a status (timeout, refused …). */
              lastError: string | null;
              /** @description The HTTP status the last attempt got; null if it got none. */
              lastStatusCode: number | null;
              /** @description When the next automatic attempt is due (ISO 8601). */
              nextAttemptAt: string | null;
              /**
               * @description `pending` while attempts remain (`nextAttemptAt`), `succeeded` once an attempt got a 2xx, `failed` after the last attempt.
               * @enum {string}
               */
              status: 'pending' | 'succeeded' | 'failed';
              /** @description When an attempt succeeded (ISO 8601). */
              succeededAt: string | null;
            }[];
            /** @description The next page’s cursor; null at the end. */
            nextCursor: string | null;
          };
        };
      };
      /**
       * @description The request is invalid. This operation answers:
       *
       *     - `API_VERSION_UNKNOWN`: Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.
       *     - `BAD_REQUEST`: The request could not be read.
       *     - `VALIDATION_FAILED`: Some fields of the request are invalid.
       *     - `MERCHANT_SELECTOR_REQUIRED`: You work at several merchants: name one in the Qianbao-Merchant header.
       */
      400: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description No valid credentials (sent with `WWW-Authenticate`). This operation answers:
       *
       *     - `UNAUTHORIZED`: Missing or invalid credentials.
       *     - `SESSION_EXPIRED`: The session has expired; sign in again.
       *     - `API_KEY_INVALID`: The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).
       */
      401: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not allowed for these credentials. This operation answers:
       *
       *     - `FORBIDDEN`: These credentials may not do this.
       *     - `API_KEY_IP_NOT_ALLOWED`: The API key may not be used from this address (its IP allow-list); details.ip.
       *     - `PARTNER_ACCESS_NOT_GRANTED`: The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).
       */
      403: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Not found: what belongs to someone else is not found either. This operation answers:
       *
       *     - `MERCHANT_NOT_FOUND`: No such merchant.
       *     - `WEBHOOK_ENDPOINT_NOT_FOUND`: No such webhook endpoint of this merchant.
       */
      404: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Too many requests; `Retry-After` says when to retry. This operation answers:
       *
       *     - `RATE_LIMITED`: Too many requests; slow down.
       */
      429: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description A bug or an outage; `details.requestId` finds it in the logs. This operation answers:
       *
       *     - `INTERNAL`: Internal error; it has been logged.
       */
      500: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
      /**
       * @description Temporarily unavailable: nothing was done; retry after `Retry-After` seconds. This operation answers:
       *
       *     - `SERVICE_UNAVAILABLE`: The service is unavailable (shutting down); retry on another instance.
       */
      503: {
        headers: {
          /** @description The API version this answer is in (the one asked for, or the newest). */
          'Qianbao-Version'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description What failed. */
            error: {
              /** @description Stable machine-readable code, e.g. VALIDATION_FAILED. */
              code: string;
              /** @description Facts about this failure, per code in docs/api/errors.md; often empty. */
              details: {
                [key: string]: unknown;
              };
              /** @description Human-readable explanation; may change. */
              message: string;
            };
          };
        };
      };
    };
  };
}
