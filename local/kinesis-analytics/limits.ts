/** Documented service limits of Kinesis Analytics SQL applications (limits.md). */
export const LIMITS = { applications: 50, destinations: 3, inputs: 1, referenceDataSources: 1, tags: 50 } as const;
