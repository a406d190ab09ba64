-- A page must come from ordered index scans that stop at the row cap: the planner, not knowing
-- the ranges' width, would otherwise sort every row of a big tick for each page (a 500,000-row
-- tick: 200 ms a page instead of 2.5). (JIT is off since the probe.)
SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off
