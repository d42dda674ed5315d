import { useI18n, type MessageKey } from '../i18n';

/** A page whose API does not exist yet. */
export function Placeholder({ titleKey }: { titleKey: MessageKey }) {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t(titleKey)}</h1>
      <p>{t('common.comingSoon')}</p>
    </section>
  );
}
