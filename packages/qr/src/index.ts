export { crc16 } from './crc.ts';
export { PaymentCodeError, type PaymentCodeErrorCode, QrError, type QrErrorCode } from './errors.ts';
export {
  codePointLength,
  encodeTlv,
  isTemplateTag,
  MAX_TLV_VALUE_LENGTH,
  parseTlv,
  type TlvField,
} from './tlv.ts';
export {
  type AdditionalData,
  type AdditionalDataInput,
  type AlternateLanguage,
  type AlternateLanguageInput,
  encodeMerchantQr,
  type Initiation,
  type MerchantAccount,
  type MerchantAccountInput,
  type MerchantQr,
  type MerchantQrData,
  type MerchantQrInput,
  MAX_QR_LENGTH,
  parseMerchantQr,
  type Template,
  type TemplateInput,
} from './merchant-qr.ts';
export {
  DEFAULT_STEP_SECONDS,
  MAX_DEVICE_INDEX,
  MAX_SECRET_BYTES,
  MAX_WINDOW,
  MIN_SECRET_BYTES,
  PAYMENT_CODE_LENGTH,
  PAYMENT_CODE_PREFIX,
  type PaymentCode,
  paymentCodeAt,
  paymentCodeStep,
  parsePaymentCode,
  verifyPaymentCode,
} from './payment-code.ts';
