/**
 * The brand: colours and the logo, a gold square-holed coin (the old 钱 that gives the wallet its
 * name) on bank red. Shared by the app (styles.css repeats the colours as CSS variables) and the
 * build, which draws the PNG icons from the same shapes (pwa/icons.ts).
 */
export const BRAND_RED = '#C8102E';
export const BRAND_RED_DARK = '#9E0B23';
export const GOLD = '#F7C65B';
export const GOLD_DARK = '#D9A23A';

export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${BRAND_RED}"/><stop offset="1" stop-color="${BRAND_RED_DARK}"/></linearGradient></defs>
<rect width="100" height="100" rx="22" fill="url(#g)"/>
<circle cx="50" cy="50" r="31" fill="${GOLD}"/>
<circle cx="50" cy="50" r="25" fill="none" stroke="${GOLD_DARK}" stroke-width="2.5"/>
<rect x="36" y="36" width="28" height="28" rx="3" fill="none" stroke="${GOLD_DARK}" stroke-width="2.5"/>
<rect x="39" y="39" width="22" height="22" rx="2.5" fill="${BRAND_RED}"/>
</svg>
`;
