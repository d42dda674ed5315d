// Short tones for the host: a knock at the lobby, and (softer) a raised hand.

let ctx: AudioContext | undefined;

function tone(frequency: number, volume: number, seconds: number): void {
  ctx ??= new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(volume, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + seconds);
}

export function beep(): void {
  tone(880, 0.15, 0.25);
}

/** A soft, low chime: a raised hand should be noticed, not startle the class. */
export function chime(): void {
  tone(523, 0.06, 0.4);
}
