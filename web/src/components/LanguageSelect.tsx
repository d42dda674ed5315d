import { useI18n, type Lang } from '../i18n';

/** The interface's language, remembered in this browser. */
export function LanguageSelect() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      <span className="visually-hidden">{t('nav.language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="ru" lang="ru">
          Русский
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </label>
  );
}
