import { useTranslation } from 'react-i18next';
import { currentLanguage, setLanguage } from '../i18n/index.ts';
import { GlobeIcon } from './icons.tsx';

/** One tap to the other language; the label is the other language's own name. */
export function LanguageSwitch(props: { className?: string }) {
  const { t } = useTranslation();
  const other = currentLanguage() === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      className={`language-switch ${props.className ?? ''}`}
      lang={other}
      aria-label={t('language.switchTo', { lng: other })}
      onClick={() => setLanguage(other)}
    >
      <GlobeIcon />
      <span>{t('language.name', { lng: other })}</span>
    </button>
  );
}
