/**
 * The sound of a critical alarm: a short two-tone beep made with Web Audio (no sound file to load). Browsers
 * allow sound only after a person has clicked or typed, which signing in does.
 */
let ctx: AudioContext | undefined;

/** Prepares audio; call from a click or key handler. */
export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    /* no audio on this terminal */
  }
}

/** Plays the critical-alarm beep; silently does nothing where audio is unavailable. */
export function beep(): void {
  try {
    ctx ??= new AudioContext();
    const t = ctx.currentTime;
    for (const [i, f] of [880, 660, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.15, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.17);
    }
  } catch {
    /* no audio on this terminal */
  }
}
