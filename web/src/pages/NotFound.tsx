import { Link } from 'react-router';
import { useI18n } from '../i18n';

export function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <Link to="/">{t('notFound.home')}</Link>
    </section>
  );
}
