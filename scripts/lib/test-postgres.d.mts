/** Types for test-postgres.mjs (imported by the two-instance Playwright spec). */
export declare const testPostgresUrl: string;
export declare function postgresAnswers(url?: string): Promise<boolean>;
