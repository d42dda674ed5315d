import { Link, useNavigate } from 'react-router';
import { useState } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { ErrorText } from './ErrorText';
import { LanguageSelect } from './LanguageSelect';

export function Header() {
  const { t } = useI18n();
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);

  const onLogout = () => {
    setError(null);
    logout()
      .then(() => navigate('/'))
      .catch(setError);
  };

  return (
    <header className="header">
      <Link to="/" className="brand">
        LiveServer
      </Link>
      <nav aria-label={t('nav.label')} className="row">
        {user && <Link to="/dashboard">{t('nav.dashboard')}</Link>}
        {user?.role === 'ADMIN' && <Link to="/admin">{t('nav.admin')}</Link>}
        {user ? (
          <button type="button" className="link" onClick={onLogout}>
            {t('nav.logout')}
          </button>
        ) : (
          <Link to="/login">{t('nav.login')}</Link>
        )}
        <LanguageSelect />
      </nav>
      <ErrorText error={error} />
    </header>
  );
}
