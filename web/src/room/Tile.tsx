// One video tile: LiveKit's ParticipantTile, rebuilt so that every text is translated and the
// focus button has an accessible name (DESIGN §7: the stock one has none).
import {
  ConnectionQualityIndicator,
  FocusToggle,
  ParticipantContext,
  ParticipantName,
  ParticipantPlaceholder,
  TrackMutedIndicator,
  TrackRefContext,
  VideoTrack,
  isTrackReference,
  useEnsureTrackRef,
  useParticipantTile,
  type TrackReferenceOrPlaceholder,
} from '@livekit/components-react';
import { Track } from 'livekit-client';
import { Hand } from 'lucide-react';
import { useI18n } from '../i18n';
import { useHandRaised } from './handsContext';
import { roleOf } from './role';

export function Tile({ trackRef }: { trackRef?: TrackReferenceOrPlaceholder }) {
  const { t } = useI18n();
  const ref = useEnsureTrackRef(trackRef);
  const { elementProps } = useParticipantTile<HTMLDivElement>({ trackRef: ref, htmlProps: {} });
  const name = ref.participant.name || ref.participant.identity;
  const isScreen = ref.source === Track.Source.ScreenShare;
  const hand = useHandRaised(ref.participant.identity) && !isScreen;
  // The role comes from the token's metadata, which only the server sets: a guest cannot
  // give itself the host's badge, whatever name it types.
  const host = roleOf(ref.participant.metadata) === 'host';

  return (
    <div style={{ position: 'relative' }} {...elementProps}>
      <TrackRefContext.Provider value={ref}>
        <ParticipantContext.Provider value={ref.participant}>
          {isTrackReference(ref) && <VideoTrack trackRef={ref} />}
          <div className="lk-participant-placeholder">
            <ParticipantPlaceholder />
          </div>
          {hand && (
            <span className="tile-hand" role="img" aria-label={t('hands.raisedBy', { name })}>
              <Hand aria-hidden="true" size={22} />
            </span>
          )}
          <div className="lk-participant-metadata">
            <div className="lk-participant-metadata-item">
              {isScreen ? (
                <span>{t('call.screenOf', { name })}</span>
              ) : (
                <>
                  <TrackMutedIndicator
                    trackRef={{ participant: ref.participant, source: Track.Source.Microphone }}
                    show="muted"
                  />
                  <ParticipantName />
                  {host && <span className="badge host-badge tile-host">{t('people.host')}</span>}
                </>
              )}
            </div>
            <ConnectionQualityIndicator className="lk-participant-metadata-item" />
          </div>
          <FocusToggle trackRef={ref} aria-label={t('call.focus', { name })} title={t('call.focus', { name })} />
        </ParticipantContext.Provider>
      </TrackRefContext.Provider>
    </div>
  );
}
