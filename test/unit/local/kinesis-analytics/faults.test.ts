import { FaultInjector, parseFaults } from '../../../../local/kinesis-analytics/faults';

describe('Function: parseFaults', () => {
  it('reads key=value pairs', () => {
    // Act
    const faults = parseFaults('drop=0.01, duplicate=0.5,misroute=0');

    // Assess
    expect(faults).toEqual({ drop: 0.01, duplicate: 0.5, misroute: 0 });
  });

  it('reads JSON', () => {
    // Act
    const faults = parseFaults('{"misroute": 0.25}');

    // Assess
    expect(faults).toEqual({ misroute: 0.25 });
  });

  it('means no faults when unset or empty', () => {
    // Act & Assess
    expect(parseFaults(undefined)).toBeUndefined();
    expect(parseFaults('  ')).toBeUndefined();
  });

  it('refuses unknown faults and fractions outside 0..1 with a clear message', () => {
    // Act & Assess
    expect(() => parseFaults('lose=0.1')).toThrow(/Unknown fault lose/);
    expect(() => parseFaults('drop=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaults('drop=')).toThrow(/between 0 and 1/);
  });
});

describe('Class: FaultInjector', () => {
  describe('Method: next', () => {
    it('hits exactly the given share of rows, deterministically', () => {
      // Prepare
      const injector = new FaultInjector({ drop: 0.01, duplicate: 0.02 });

      // Act: one row more, since a kind falling due on a row another kind took hits the next row
      const hits = Array.from({ length: 1001 }, () => injector.next());

      // Assess
      expect(hits.filter((h) => h === 'drop')).toHaveLength(10);
      expect(hits.filter((h) => h === 'duplicate')).toHaveLength(20);
      expect(injector.injected).toEqual({ drop: 10, duplicate: 20, misroute: 0 });
    });
  });
});

describe('Class: FaultInjector (cancel)', () => {
  describe('Method: cancel', () => {
    it('takes back a fault that could not happen without holding up the others', () => {
      // Prepare
      const injector = new FaultInjector({ misroute: 0.5, drop: 0.25 });

      // Act
      const hits = Array.from({ length: 9 }, () => {
        const hit = injector.next();
        if (hit === 'misroute') injector.cancel('misroute');
        return hit;
      });

      // Assess
      expect(hits.filter((h) => h === 'drop')).toHaveLength(2);
      expect(injector.injected).toEqual({ drop: 2, duplicate: 0, misroute: 0 });
    });
  });
});
