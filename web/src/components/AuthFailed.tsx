import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { errorText } from '../lib/errors';

/**
 * For a page that needs a signed-in user when the sign-in could not be checked (the server
 * unavailable, no network): the error and a retry, rather than a trip to the sign-in page.
 */
export function AuthFailed() {
  const { t, lang } = useI18n();
  const { error, retry } = useAuth();
  return (
    <section className="narrow stack">
      <p className="error" role="alert">
        {t('auth.checkFailed')} {errorText(t, error, lang)}
      </p>
      <div>
        <button type="button" className="primary" onClick={retry}>
          {t('common.retry')}
        </button>
      </div>
    </section>
  );
}
