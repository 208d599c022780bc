import { ManualClock } from '../../../local/clock';

describe('Class: ManualClock', () => {
  it('fires due timers in time order when advanced, and no others', async () => {
    // Prepare
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const late = clock.setTimeout(() => fired.push('late'), 1000);
    const cancelled = clock.setTimeout(() => fired.push('cancelled'), 50);
    clock.clearTimeout(cancelled);

    // Act
    await clock.advance(500);

    // Assess
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1500);
    clock.clearTimeout(late);
  });

  it('resolves sleep only once time reaches it', async () => {
    const clock = new ManualClock(0);
    let done = false;
    const sleeping = clock.sleep(100).then(() => {
      done = true;
    });
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
  });
});
