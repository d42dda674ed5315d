// The host's choice of a sound for raised hands, remembered in this browser.
import { useCallback, useState } from 'react';

const key = 'liveserver.handSound';

/** Read at the moment a hand goes up, so every switch in the page agrees. */
export function handSoundOn(): boolean {
  return localStorage.getItem(key) !== 'off';
}

export function useHandSound(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(handSoundOn);
  const set = useCallback((next: boolean) => {
    localStorage.setItem(key, next ? 'on' : 'off');
    setOn(next);
  }, []);
  return [on, set];
}
