/** The worked example's application code (sql/fanout.sql, the SQL the README walks through), as the tests use it. */
import exampleSql from '../sql/fanout.sql';

/** The text of sql/fanout.sql. */
export const applicationSql: string = exampleSql;
