// Short-lived notices over the call (someone knocked or was removed, the host muted me...),
// announced to screen readers.
import { useEffect } from 'react';
import { X } from 'lucide-react';
import { useI18n } from '../i18n';

export interface Notice {
  id: number;
  text: string;
}

export function Notices({ notices, onExpire }: { notices: Notice[]; onExpire: (id: number) => void }) {
  const { t } = useI18n();
  const first = notices[0];
  useEffect(() => {
    if (!first) return;
    const timer = setTimeout(() => onExpire(first.id), 6000);
    return () => clearTimeout(timer);
  }, [first, onExpire]);

  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <p key={n.id} className="notice">
          {n.text}
          <button type="button" className="link small" onClick={() => onExpire(n.id)} aria-label={t('common.dismiss')}>
            <X aria-hidden="true" size={16} />
          </button>
        </p>
      ))}
    </div>
  );
}
