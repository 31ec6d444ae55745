-- One database role per service (ADR 0034): each may use only its own schema. Applied by
-- `scripts/prisma-migrate.mjs deploy` as the owner that ran the migrations (renkei), after them, on every
-- deploy: idempotent. ALTER DEFAULT PRIVILEGES covers the tables and sequences later migrations create.
-- The roles are the server's (cluster-wide, LOGIN with a password): scripts/postgres.sh makes them for tests
-- and CI, the operator or the chart elsewhere. A role that does not exist is skipped with a notice.
-- The exchange and cps-sim keep no state: renkei_exchange and renkei_cps get no schema here.
DO $$
DECLARE
  grantee text;
  owned text;
BEGIN
  FOR grantee, owned IN VALUES ('renkei_registry', 'registry'), ('renkei_clearing', 'clearing') LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = grantee) THEN
      RAISE NOTICE 'role % does not exist: schema % is not granted to it', grantee, owned;
      CONTINUE;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', owned, grantee);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', owned, grantee);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', owned, grantee);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owned, grantee);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', owned, grantee);
  END LOOP;
END $$;
