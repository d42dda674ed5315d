// The video area: a grid, or one focused tile with the others in a carousel (as LiveKit's
// VideoConference does). A screen share takes the focus by itself when it appears.
import { useEffect, useRef } from 'react';
import {
  CarouselLayout,
  FocusLayoutContainer,
  GridLayout,
  LayoutContextProvider,
  isTrackReference,
  useCreateLayoutContext,
  usePinnedTracks,
  useTracks,
  type TrackReferenceOrPlaceholder,
} from '@livekit/components-react';
import { RoomEvent, Track } from 'livekit-client';
import { Tile } from './Tile';

const same = (a?: TrackReferenceOrPlaceholder, b?: TrackReferenceOrPlaceholder) =>
  !!a && !!b && a.participant.identity === b.participant.identity && a.source === b.source;

export function Stage() {
  const tracks = useTracks(
    [
      { source: Track.Source.Camera, withPlaceholder: true },
      { source: Track.Source.ScreenShare, withPlaceholder: false },
    ],
    { updateOnlyOn: [RoomEvent.ActiveSpeakersChanged], onlySubscribed: false },
  );
  const layout = useCreateLayoutContext();
  const focus = usePinnedTracks(layout)[0];
  const autoFocused = useRef<string | null>(null);

  const screens = tracks.filter(isTrackReference).filter((t) => t.source === Track.Source.ScreenShare);
  const screenKey = screens.map((s) => `${s.publication.trackSid}_${s.publication.isSubscribed}`).join();

  useEffect(() => {
    const first = screens.find((s) => s.publication.isSubscribed);
    if (first && autoFocused.current === null) {
      layout.pin.dispatch?.({ msg: 'set_pin', trackReference: first });
      autoFocused.current = first.publication.trackSid;
    } else if (autoFocused.current && !screens.some((s) => s.publication.trackSid === autoFocused.current)) {
      layout.pin.dispatch?.({ msg: 'clear_pin' });
      autoFocused.current = null;
    }
    // screenKey stands for the screens' identity and subscription state.
  }, [screenKey]);

  const others = tracks.filter((t) => !same(t, focus));

  return (
    <LayoutContextProvider value={layout}>
      <div className="stage">
        {focus ? (
          <div className="lk-focus-layout-wrapper">
            <FocusLayoutContainer>
              <CarouselLayout tracks={others}>
                <Tile />
              </CarouselLayout>
              <Tile trackRef={focus} />
            </FocusLayoutContainer>
          </div>
        ) : (
          <div className="lk-grid-layout-wrapper">
            <GridLayout tracks={tracks}>
              <Tile />
            </GridLayout>
          </div>
        )}
      </div>
    </LayoutContextProvider>
  );
}
