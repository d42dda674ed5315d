import { Link, useNavigate } from 'react-router';
import { useState } from 'react';
import { useI18n, type Lang } from '../i18n';
import { useAuth } from '../lib/auth';
import { ErrorText } from './ErrorText';

export function Header() {
  const { t, lang, setLang } = useI18n();
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
      </nav>
      <ErrorText error={error} />
    </header>
  );
}
