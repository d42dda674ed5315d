// Microphone, camera (each with its device menu) and screen share.
import { MediaDeviceMenu, TrackToggle, useLocalParticipantPermissions } from '@livekit/components-react';
import { Track } from 'livekit-client';
import { useI18n } from '../i18n';

export function MediaControls({ onError }: { onError: (err: Error) => void }) {
  const { t } = useI18n();
  const perms = useLocalParticipantPermissions();
  if (!perms?.canPublish) return <span className="muted">{t('call.cannotPublish')}</span>;

  return (
    <>
      <div className="lk-button-group">
        <TrackToggle source={Track.Source.Microphone} onDeviceError={onError}>
          <span className="label">{t('call.microphone')}</span>
        </TrackToggle>
        <div className="lk-button-group-menu">
          <MediaDeviceMenu kind="audioinput" aria-label={t('call.chooseMicrophone')} title={t('call.chooseMicrophone')} />
        </div>
      </div>
      <div className="lk-button-group">
        <TrackToggle source={Track.Source.Camera} onDeviceError={onError}>
          <span className="label">{t('call.camera')}</span>
        </TrackToggle>
        <div className="lk-button-group-menu">
          <MediaDeviceMenu kind="videoinput" aria-label={t('call.chooseCamera')} title={t('call.chooseCamera')} />
        </div>
      </div>
      <TrackToggle
        source={Track.Source.ScreenShare}
        captureOptions={{ audio: true, selfBrowserSurface: 'include' }}
        onDeviceError={onError}
      >
        <span className="label">{t('call.screen')}</span>
      </TrackToggle>
    </>
  );
}
