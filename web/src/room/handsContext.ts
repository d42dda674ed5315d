// Who has a hand up, for the video tiles (rendered by LiveKit's layouts, which pass no props).
import { createContext, useContext } from 'react';

export const HandsContext = createContext<ReadonlySet<string>>(new Set());

export function useHandRaised(identity: string): boolean {
  return useContext(HandsContext).has(identity);
}
