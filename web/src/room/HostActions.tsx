// The host's panic button and "end for all", each behind a confirmation.
import { useState } from 'react';
import { Power, TriangleAlert } from 'lucide-react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { moderate } from './moderate';

interface Props {
  roomId: string;
  onError: (err: unknown) => void;
  onPanicDone: (result: PanicResult) => void;
}

export interface PanicResult {
  removed: number;
  rejected: number;
  muted: number;
}

export function HostActions({ roomId, onError, onPanicDone }: Props) {
  const { t } = useI18n();
  const [confirm, setConfirm] = useState<'panic' | 'end' | null>(null);

  const onConfirm = () => {
    const what = confirm;
    setConfirm(null);
    if (what === 'panic') {
      moderate(roomId, 'panic')
        .then((r) => onPanicDone(r as PanicResult))
        .catch(onError);
    } else {
      api('POST', `/api/rooms/${roomId}/end`).catch(onError);
    }
  };

  return (
    <>
      <button type="button" className="lk-button danger" onClick={() => setConfirm('panic')}>
        <TriangleAlert aria-hidden="true" size={18} />
        <span className="label">{t('host.panic')}</span>
      </button>
      <button type="button" className="lk-button danger" onClick={() => setConfirm('end')}>
        <Power aria-hidden="true" size={18} />
        <span className="label">{t('host.endAll')}</span>
      </button>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === 'panic' ? t('host.panicTitle') : t('host.endTitle')}
        confirmLabel={confirm === 'panic' ? t('host.panicConfirm') : t('host.endAll')}
        danger
        onCancel={() => setConfirm(null)}
        onConfirm={onConfirm}
      >
        <p>{confirm === 'panic' ? t('host.panicText') : t('host.endText')}</p>
      </ConfirmDialog>
    </>
  );
}
