/** Line icons of the money screens (24 × 24, drawn with the current text colour). */
import { icon } from '../icons.tsx';

/** Transfer: two arrows. */
export const TransferIcon = icon(
  <>
    <path d="M4 8h14l-3.5-3.5" />
    <path d="M20 16H6l3.5 3.5" />
  </>,
);

/** Receive code: a QR code. */
export const QrIcon = icon(
  <>
    <rect x="3.5" y="3.5" width="6.5" height="6.5" rx="1" />
    <rect x="14" y="3.5" width="6.5" height="6.5" rx="1" />
    <rect x="3.5" y="14" width="6.5" height="6.5" rx="1" />
    <path d="M14 14h2.5v2.5H14zM18 18h2.5v2.5H18zM18 14h2.5M14 18v2.5" />
  </>,
);

/** Scan: a frame with a line. */
export const ScanIcon = icon(
  <>
    <path d="M3.5 8V5a1.5 1.5 0 0 1 1.5-1.5h3M16 3.5h3A1.5 1.5 0 0 1 20.5 5v3M20.5 16v3a1.5 1.5 0 0 1-1.5 1.5h-3M8 20.5H5A1.5 1.5 0 0 1 3.5 19v-3" />
    <path d="M3.5 12h17" />
  </>,
);

/** Request money: a hand-held note. */
export const RequestIcon = icon(
  <>
    <rect x="3.5" y="5.5" width="17" height="13" rx="2" />
    <path d="M12 9v6M9.5 10.5 12 8l2.5 2.5" />
  </>,
);

/** Top-up: into the wallet. */
export const TopUpIcon = icon(
  <>
    <rect x="3" y="6.5" width="18" height="13" rx="2.5" />
    <path d="M12 2.5v8M9 7.5l3 3 3-3" />
  </>,
);

/** Withdraw: out of the wallet. */
export const WithdrawIcon = icon(
  <>
    <rect x="3" y="6.5" width="18" height="13" rx="2.5" />
    <path d="M12 11V3M9 6l3-3 3 3" />
  </>,
);

/** Transfer to a bank account: a bank with an arrow in. */
export const BankIcon = icon(
  <>
    <path d="M3.5 9.5 12 4.5l8.5 5" />
    <path d="M5.5 10.5v7M9.5 10.5v7M14.5 10.5v7M18.5 10.5v7M3.5 20h17" />
  </>,
);

/** Bank card. */
export const CardIcon = icon(
  <>
    <rect x="2.5" y="5" width="19" height="14" rx="2.5" />
    <path d="M2.5 9.5h19M6 15h4" />
  </>,
);

/** History: a receipt. */
export const BillIcon = icon(
  <>
    <path d="M6 3h12v18l-3-2-3 2-3-2-3 2z" />
    <path d="M9 8h6M9 12h6" />
  </>,
);

export const CheckCircleIcon = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="m8 12 3 3 5-6" />
  </>,
);

export const ClockIcon = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </>,
);

export const CrossCircleIcon = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <path d="m9 9 6 6M15 9l-6 6" />
  </>,
);

export const FilterIcon = icon(<path d="M4 5h16l-6 7.5V19l-4 1.5v-8z" />);

/** A shop: an awning over a counter. */
export const ShopIcon = icon(
  <>
    <path d="M4 9.5 5.5 4h13L20 9.5" />
    <path d="M4 9.5a2.7 2.7 0 0 0 5.3 0 2.7 2.7 0 0 0 5.4 0 2.7 2.7 0 0 0 5.3 0" />
    <path d="M5.5 12v8.5h13V12M10 20.5v-5h4v5" />
  </>,
);

/** Pay code (付款码): a barcode over a small QR code, as a phone shows them at the till. */
export const PayCodeIcon = icon(
  <>
    <path d="M4 3.5v7M6.5 3.5v7M8.5 3.5v7M11.5 3.5v7M13.5 3.5v7M16.5 3.5v7M18.5 3.5v7M20 3.5v7" />
    <rect x="4" y="14" width="6.5" height="6.5" rx="1" />
    <path d="M14 14h2.5v2.5H14zM18 18h2.5v2.5H18zM18 14h2.5M14 18v2.5" />
  </>,
);
