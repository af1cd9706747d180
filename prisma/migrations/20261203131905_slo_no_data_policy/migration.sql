-- SLO no-data policy: how minutes without requests count (GOOD, BAD or IGNORE), and the running
-- count of minutes with requests that the policy needs.

-- CreateEnum
CREATE TYPE "SloNoDataPolicy" AS ENUM ('GOOD', 'BAD', 'IGNORE');

-- SLOs that exist keep GOOD (how they were evaluated so far, so upgrading fires no alert),
-- the default for new SLOs is IGNORE.
ALTER TABLE "slos" ADD COLUMN     "no_data_policy" "SloNoDataPolicy" NOT NULL DEFAULT 'GOOD';
ALTER TABLE "slos" ALTER COLUMN "no_data_policy" SET DEFAULT 'IGNORE';

-- Existing series: count the rows with requests in order from an origin of 0, and a row judged from an
-- hourly rollup (before minute_resolution_from) stands for 60 minutes. Where minute rows were
-- already thinned to one per hour the count is low: it matters only if such an SLO later moves
-- off GOOD, and only for the thinned time (older than 3 days).
ALTER TABLE "slo_minutes" ADD COLUMN     "cum_data_minutes" BIGINT NOT NULL DEFAULT 0;
UPDATE "slo_minutes" m SET "cum_data_minutes" = c.cum
FROM (
  SELECT x.slo_id, x.minute,
         sum(CASE WHEN x.requests = 0 THEN 0
                  WHEN s.minute_resolution_from IS NOT NULL AND x.minute < s.minute_resolution_from THEN 60
                  ELSE 1 END) OVER (PARTITION BY x.slo_id, x.basis ORDER BY x.minute) AS cum
  FROM "slo_minutes" x LEFT JOIN "slo_series" s ON s.slo_id = x.slo_id
) c
WHERE m.slo_id = c.slo_id AND m.minute = c.minute;
ALTER TABLE "slo_minutes" ALTER COLUMN "cum_data_minutes" DROP DEFAULT;

ALTER TABLE "slo_series" ADD COLUMN     "origin_data_minutes" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "slo_series" ALTER COLUMN "origin_data_minutes" DROP DEFAULT;
