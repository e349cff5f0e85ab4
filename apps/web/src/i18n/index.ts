import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhCN from './zh-CN.json';
import moneyEn from './money.en.json';
import moneyZhCN from './money.zh-CN.json';
import freezeEn from './freeze.en.json';
import freezeZhCN from './freeze.zh-CN.json';
import portalEn from './portal.en.json';
import portalZhCN from './portal.zh-CN.json';
import redPacketsEn from './redpackets.en.json';
import redPacketsZhCN from './redpackets.zh-CN.json';
import splitsEn from './splits.en.json';
import splitsZhCN from './splits.zh-CN.json';
import helpEn from './help.en.json';
import helpZhCN from './help.zh-CN.json';
import supportEn from './support.en.json';
import supportZhCN from './support.zh-CN.json';
import disputesEn from './disputes.en.json';
import disputesZhCN from './disputes.zh-CN.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const LANGUAGE_KEY = 'qb_language';

function storedLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  return LANGUAGES.find((language) => language === stored) ?? 'zh-CN';
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false }, // React escapes
  showSupportNotice: false,
});

// The money screens' strings live in their own files, merged in (existing keys win).
i18n.addResourceBundle('zh-CN', 'translation', moneyZhCN, true, false);
i18n.addResourceBundle('en', 'translation', moneyEn, true, false);
// So do the freeze screens' (freeze, unfreeze, report a lost phone).
i18n.addResourceBundle('zh-CN', 'translation', freezeZhCN, true, false);
i18n.addResourceBundle('en', 'translation', freezeEn, true, false);
// And the merchant portal's (/merchant), with the merchants API's codes the wallet never shows.
i18n.addResourceBundle('zh-CN', 'translation', portalZhCN, true, false);
i18n.addResourceBundle('en', 'translation', portalEn, true, false);
// And the red packets' (issue 13), with their API's codes.
i18n.addResourceBundle('zh-CN', 'translation', redPacketsZhCN, true, false);
i18n.addResourceBundle('en', 'translation', redPacketsEn, true, false);
// And the split bills' (AA 收款, issue 13), with their API's codes.
i18n.addResourceBundle('zh-CN', 'translation', splitsZhCN, true, false);
i18n.addResourceBundle('en', 'translation', splitsEn, true, false);
// And the help centre's and feedback's (issue 15).
i18n.addResourceBundle('zh-CN', 'translation', helpZhCN, true, false);
i18n.addResourceBundle('en', 'translation', helpEn, true, false);
// And customer service's: tickets and live chat (issue 15).
i18n.addResourceBundle('zh-CN', 'translation', supportZhCN, true, false);
i18n.addResourceBundle('en', 'translation', supportEn, true, false);
// And the disputes' (申诉, issue 15), with their API's codes.
i18n.addResourceBundle('zh-CN', 'translation', disputesZhCN, true, false);
i18n.addResourceBundle('en', 'translation', disputesEn, true, false);

function applyToDocument(language: string): void {
  document.documentElement.lang = language;
  document.title = i18n.t('app.title');
}
applyToDocument(i18n.language);
i18n.on('languageChanged', applyToDocument);

/** Switch and remember the choice for the next visit. */
export function setLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  void i18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export default i18n;
