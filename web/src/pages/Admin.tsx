import { useState, type KeyboardEvent } from 'react';
import { Navigate } from 'react-router';
import { useI18n, type MessageKey } from '../i18n';
import { useAuth } from '../lib/auth';
import { AuthFailed } from '../components/AuthFailed';
import { RoomsTab } from '../admin/RoomsTab';
import { UsersTab } from '../admin/UsersTab';
import { ModerationTab } from '../admin/ModerationTab';
import { HealthTab } from '../admin/HealthTab';
import { StorageTab } from '../admin/StorageTab';

type Tab = 'rooms' | 'users' | 'log' | 'storage' | 'health';
const tabs: { id: Tab; label: MessageKey }[] = [
  { id: 'rooms', label: 'admin.tab.rooms' },
  { id: 'users', label: 'admin.tab.users' },
  { id: 'log', label: 'admin.tab.log' },
  { id: 'storage', label: 'admin.tab.storage' },
  { id: 'health', label: 'admin.tab.health' },
];

export function AdminPage() {
  const { t } = useI18n();
  const { user, loading, error: authError } = useAuth();
  const [tab, setTab] = useState<Tab>('rooms');

  if (loading) return <p>{t('common.loading')}</p>;
  if (!user) return authError ? <AuthFailed /> : <Navigate to="/login" replace />;
  if (user.role !== 'ADMIN') {
    return (
      <section className="stack">
        <h1>{t('admin.title')}</h1>
        <p className="warning" role="alert">
          {t('admin.only')}
        </p>
      </section>
    );
  }

  // Arrow keys move between tabs, as the ARIA tabs pattern has it.
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((x) => x.id === tab);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    if (!next) return;
    setTab(next.id);
    document.getElementById(`admin-tab-${next.id}`)?.focus();
  };

  return (
    <div className="admin stack">
      <h1>{t('admin.title')}</h1>
      <div role="tablist" className="tabs wrap" aria-label={t('admin.title')} onKeyDown={onKey}>
        {tabs.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`admin-tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`admin-panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => setTab(id)}
          >
            {t(label)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`admin-panel-${tab}`} aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'rooms' && <RoomsTab />}
        {tab === 'users' && <UsersTab />}
        {tab === 'log' && <ModerationTab />}
        {tab === 'storage' && <StorageTab />}
        {tab === 'health' && <HealthTab />}
      </div>
    </div>
  );
}
