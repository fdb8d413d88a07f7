import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Reads that cost the same after years of referrals (ADR 0015):
 * - indexes in the referral list's order (newest first, ties by id), so a page, and the page after a cursor, is read
 *   straight off an index instead of sorting a site's whole history;
 * - a read model of the pipeline: referrals per site, stage and source (the list's totals and the pipeline's counts),
 *   and how long referrals took to assessment and to admission, as a histogram in hundredths of a day (the pipeline's
 *   medians). Triggers on `referrals` keep both in the transaction that changes a referral, whoever writes it.
 */
export class ReadPath1764600000000 implements MigrationInterface {
  name = 'ReadPath1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX referrals_site_newest ON intake.referrals (site_id, received_at DESC, referral_id DESC)`);
    // The stage filter in the same order; it replaces (site_id, stage, received_at), which had no tie-breaker.
    await q.query(`CREATE INDEX referrals_site_stage_newest ON intake.referrals (site_id, stage, received_at DESC, referral_id DESC)`);
    await q.query(`DROP INDEX intake.referrals_site_stage`);
    // Lists across every site the caller may see (network administrators, coordinators of several sites).
    await q.query(`CREATE INDEX referrals_newest ON intake.referrals (received_at DESC, referral_id DESC)`);
    await q.query(`CREATE INDEX waitlist_entries_site_waiting ON intake.waitlist_entries (site_id) WHERE removed_at IS NULL`);

    await q.query(`CREATE TABLE intake.referral_counts (
      site_id uuid NOT NULL,
      stage   text NOT NULL,
      source  text NOT NULL,
      n       integer NOT NULL,
      PRIMARY KEY (site_id, stage, source)
    )`);
    await q.query(`CREATE TABLE intake.referral_durations (
      site_id    uuid NOT NULL,
      kind       text NOT NULL CHECK (kind IN ('assessment', 'admission')),
      hundredths integer NOT NULL,
      n          integer NOT NULL,
      PRIMARY KEY (site_id, kind, hundredths)
    )`);
    for (const table of ['referral_counts', 'referral_durations']) for (const sql of siteIsolationSql('intake', table)) await q.query(sql);

    // Runs as the writer (no SECURITY DEFINER): the read model is under the same site policy as the referral.
    await q.query(`CREATE FUNCTION intake.referrals_read_model() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          IF TG_OP = 'DELETE' OR (OLD.site_id, OLD.stage, OLD.source) IS DISTINCT FROM (NEW.site_id, NEW.stage, NEW.source) THEN
            UPDATE intake.referral_counts SET n = n - 1 WHERE site_id = OLD.site_id AND stage = OLD.stage AND source = OLD.source;
          END IF;
          IF OLD.assessed_at IS NOT NULL AND (TG_OP = 'DELETE' OR (OLD.site_id, OLD.received_at, OLD.assessed_at) IS DISTINCT FROM (NEW.site_id, NEW.received_at, NEW.assessed_at)) THEN
            UPDATE intake.referral_durations SET n = n - 1
             WHERE site_id = OLD.site_id AND kind = 'assessment' AND hundredths = round(extract(epoch FROM OLD.assessed_at - OLD.received_at) / 864)::int;
          END IF;
          IF OLD.admitted_at IS NOT NULL AND (TG_OP = 'DELETE' OR (OLD.site_id, OLD.received_at, OLD.admitted_at) IS DISTINCT FROM (NEW.site_id, NEW.received_at, NEW.admitted_at)) THEN
            UPDATE intake.referral_durations SET n = n - 1
             WHERE site_id = OLD.site_id AND kind = 'admission' AND hundredths = round(extract(epoch FROM OLD.admitted_at - OLD.received_at) / 864)::int;
          END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' OR (OLD.site_id, OLD.stage, OLD.source) IS DISTINCT FROM (NEW.site_id, NEW.stage, NEW.source) THEN
          INSERT INTO intake.referral_counts AS c (site_id, stage, source, n) VALUES (NEW.site_id, NEW.stage, NEW.source, 1)
            ON CONFLICT (site_id, stage, source) DO UPDATE SET n = c.n + 1;
        END IF;
        IF NEW.assessed_at IS NOT NULL AND (TG_OP = 'INSERT' OR (OLD.site_id, OLD.received_at, OLD.assessed_at) IS DISTINCT FROM (NEW.site_id, NEW.received_at, NEW.assessed_at)) THEN
          INSERT INTO intake.referral_durations AS d (site_id, kind, hundredths, n)
            VALUES (NEW.site_id, 'assessment', round(extract(epoch FROM NEW.assessed_at - NEW.received_at) / 864)::int, 1)
            ON CONFLICT (site_id, kind, hundredths) DO UPDATE SET n = d.n + 1;
        END IF;
        IF NEW.admitted_at IS NOT NULL AND (TG_OP = 'INSERT' OR (OLD.site_id, OLD.received_at, OLD.admitted_at) IS DISTINCT FROM (NEW.site_id, NEW.received_at, NEW.admitted_at)) THEN
          INSERT INTO intake.referral_durations AS d (site_id, kind, hundredths, n)
            VALUES (NEW.site_id, 'admission', round(extract(epoch FROM NEW.admitted_at - NEW.received_at) / 864)::int, 1)
            ON CONFLICT (site_id, kind, hundredths) DO UPDATE SET n = d.n + 1;
        END IF;
        RETURN NULL;
      END
    $$`);
    await q.query(`CREATE TRIGGER referrals_read_model AFTER INSERT OR DELETE OR UPDATE OF site_id, stage, source, received_at, assessed_at, admitted_at
      ON intake.referrals FOR EACH ROW EXECUTE FUNCTION intake.referrals_read_model()`);

    // What is there already (the migration runs as the tables' owner, under no policy).
    await q.query(
      `INSERT INTO intake.referral_counts (site_id, stage, source, n) SELECT site_id, stage, source, count(*) FROM intake.referrals GROUP BY 1, 2, 3`,
    );
    await q.query(`INSERT INTO intake.referral_durations (site_id, kind, hundredths, n)
      SELECT site_id, kind, hundredths, count(*) FROM (
        SELECT site_id, 'assessment' AS kind, round(extract(epoch FROM assessed_at - received_at) / 864)::int AS hundredths FROM intake.referrals WHERE assessed_at IS NOT NULL
        UNION ALL
        SELECT site_id, 'admission', round(extract(epoch FROM admitted_at - received_at) / 864)::int FROM intake.referrals WHERE admitted_at IS NOT NULL
      ) d GROUP BY 1, 2, 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER referrals_read_model ON intake.referrals`);
    await q.query(`DROP FUNCTION intake.referrals_read_model()`);
    await q.query(`DROP TABLE intake.referral_durations`);
    await q.query(`DROP TABLE intake.referral_counts`);
    await q.query(`DROP INDEX intake.waitlist_entries_site_waiting`);
    await q.query(`DROP INDEX intake.referrals_newest`);
    await q.query(`CREATE INDEX referrals_site_stage ON intake.referrals (site_id, stage, received_at)`);
    await q.query(`DROP INDEX intake.referrals_site_stage_newest`);
    await q.query(`DROP INDEX intake.referrals_site_newest`);
  }
}
