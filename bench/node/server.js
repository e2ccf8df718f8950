// KAYA's hot read endpoints rebuilt in the seed's stack (Node 20, Express 5,
// Prisma 7 with the pg adapter), for `make bench --node`: same tables, same
// JSON, same JWT and token-epoch check, as many cluster workers as gunicorn.
//
// Timestamps are read as text: a JavaScript Date holds milliseconds, while
// PostgreSQL and KAYA's JSON carry microseconds, so rows with timestamps go
// through Prisma's $queryRaw (tagged, parameterised) and the rest through the
// model API.
//
// Environment: DATABASE_URL, SECRET_KEY (or JWT_SIGNING_KEY),
// FIELD_ENCRYPTION_KEYS, AI_CONSENT_VERSION, PORT, WORKERS.

import cluster from "node:cluster";
import crypto from "node:crypto";
import process from "node:process";

const WORKERS = Number(process.env.WORKERS || 3);
const PORT = Number(process.env.PORT || 8100);

if (cluster.isPrimary) {
  for (let i = 0; i < WORKERS; i += 1) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (!shuttingDown) {
      console.error(`worker ${worker.process.pid} exited (${signal || code})`);
      process.exit(1);
    }
  });
  let shuttingDown = false;
  process.on("SIGTERM", () => {
    shuttingDown = true;
    for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
    process.exit(0);
  });
} else {
  await serve();
}

async function serve() {
  const { default: express } = await import("express");
  const { PrismaClient } = await import("@prisma/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");

  const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL });
  const prisma = new PrismaClient({ adapter });
  const signingKey = process.env.JWT_SIGNING_KEY || process.env.SECRET_KEY;
  if (!signingKey) throw new Error("SECRET_KEY (or JWT_SIGNING_KEY) is required");
  const aiConsentVersion = Number(process.env.AI_CONSENT_VERSION || 1);
  const fernetKeys = (process.env.FIELD_ENCRYPTION_KEYS || "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean)
    .map((key) => {
      const raw = Buffer.from(key, "base64url");
      return { signing: raw.subarray(0, 16), encryption: raw.subarray(16, 32) };
    });

  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.set("json spaces", 0);

  // -- conversions (kaya/output.py's, as DRF writes them) ---------------------

  // "2026-12-04T11:15:31.686647" (UTC, from to_char) -> DRF's ISO 8601 text.
  const instant = (text) =>
    text === null ? null : `${text.endsWith(".000000") ? text.slice(0, -7) : text}Z`;
  // A TimeField: "HH:MM:SS" or "HH:MM:SS.ffffff".
  const timeOfDay = (text) =>
    text === null ? null : text.endsWith(".000000") ? text.slice(0, -7) : text;
  const integer = (value) => (value === null ? null : Number(value));
  // Python's round(x, 2) of a double: correctly rounded on the double's exact
  // value (as toFixed is), exact ties to even (toFixed takes the larger).
  const round2 = (x) => {
    const a = Math.abs(x);
    let r = Number(a.toFixed(2));
    const eighths = a * 8;
    if (Number.isInteger(eighths) && eighths % 2 === 1) {
      const q = Math.floor(a * 100);
      r = (q % 2 === 0 ? q : q + 1) / 100;
    }
    return x < 0 ? -r : r;
  };
  const localToday = (zone) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: zone || "UTC" }).format(new Date());
  const addDays = (day, days) => {
    const date = new Date(`${day}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  };

  // Fernet (what cryptography's MultiFernet.decrypt does): every key in turn.
  // An empty text is stored empty, not as a token (kaya/fields.py).
  const decrypt = (token) => {
    if (token === "") return "";
    const data = Buffer.from(token, "base64url");
    if (data.length < 57 || data[0] !== 0x80) throw new Error("invalid token");
    const body = data.subarray(0, data.length - 32);
    const mac = data.subarray(data.length - 32);
    for (const key of fernetKeys) {
      const expected = crypto.createHmac("sha256", key.signing).update(body).digest();
      if (!crypto.timingSafeEqual(expected, mac)) continue;
      const iv = data.subarray(9, 25);
      const decipher = crypto.createDecipheriv("aes-128-cbc", key.encryption, iv);
      return Buffer.concat([
        decipher.update(data.subarray(25, data.length - 32)),
        decipher.final(),
      ]).toString("utf8");
    }
    throw new Error("no key decrypts this value");
  };

  // -- authentication: SimpleJWT's access token plus the token epoch ----------

  class Unauthorized extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // Verified tokens are remembered until their expiry, as KAYA's
  // EpochJWTAuthentication does; the user row is read on every request.
  const verified = new Map();
  const verify = (raw) => {
    const now = Date.now() / 1000;
    const remembered = verified.get(raw);
    if (remembered !== undefined) {
      if (now < remembered.exp) return remembered;
      verified.delete(raw);
    }
    const parts = raw.split(".");
    if (parts.length !== 3) throw new Unauthorized("token_not_valid", "Token is invalid");
    let header;
    let payload;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url"));
      payload = JSON.parse(Buffer.from(parts[1], "base64url"));
    } catch {
      throw new Unauthorized("token_not_valid", "Token is invalid");
    }
    const signature = Buffer.from(parts[2], "base64url");
    const expected = crypto
      .createHmac("sha256", signingKey)
      .update(`${parts[0]}.${parts[1]}`)
      .digest();
    if (
      header.alg !== "HS256" ||
      signature.length !== expected.length ||
      !crypto.timingSafeEqual(signature, expected)
    ) {
      throw new Unauthorized("token_not_valid", "Token is invalid");
    }
    if (typeof payload.exp !== "number" || payload.exp <= now) {
      throw new Unauthorized("token_not_valid", "Token is expired");
    }
    if (payload.token_type !== "access" || !payload.jti) {
      throw new Unauthorized("token_not_valid", "Token is invalid");
    }
    if (payload.user_id === undefined) {
      throw new Unauthorized(
        "token_not_valid",
        "Token contained no recognizable user identification",
      );
    }
    if (verified.size >= 4096) verified.clear();
    verified.set(raw, payload);
    return payload;
  };

  // The whole user row in one statement (KAYA reads it in one too).
  const userById = async (id) => {
    const rows = await prisma.$queryRaw`
      SELECT id, email, pending_email, email_verified_at IS NOT NULL AS email_verified,
        display_name, avatar_url, bio, timezone, locale,
        to_char(reminder_time, 'HH24:MI:SS.US') AS reminder_time,
        notify_email, notify_push,
        to_char(quiet_hours_start, 'HH24:MI:SS.US') AS quiet_hours_start,
        to_char(quiet_hours_end, 'HH24:MI:SS.US') AS quiet_hours_end,
        gentle_mode, leaderboard_opt_out, ai_consent_version,
        to_char(ai_consent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ai_consent_at,
        subscription_tier,
        to_char(subscription_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS subscription_expires_at,
        is_staff,
        to_char(date_joined AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS date_joined,
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at,
        token_epoch, is_active
      FROM accounts_user WHERE id = ${id}`;
    return rows[0] ?? null;
  };

  const authenticate = async (req, res, next) => {
    try {
      const header = req.get("authorization") || "";
      const [type, raw] = header.split(" ");
      if (type !== "Bearer" || !raw) {
        throw new Unauthorized(
          "not_authenticated",
          "Authentication credentials were not provided.",
        );
      }
      const claims = verify(raw);
      let id;
      try {
        id = BigInt(claims.user_id);
      } catch {
        id = null;
      }
      const user = id === null ? null : await userById(id);
      if (user === null) throw new Unauthorized("user_not_found", "User not found");
      if (!user.is_active) throw new Unauthorized("user_inactive", "User is inactive");
      if (claims.epoch !== user.token_epoch) {
        throw new Unauthorized("token_revoked", "Token has been revoked.");
      }
      req.user = user;
      next();
    } catch (error) {
      next(error);
    }
  };

  // -- the ceilings ---------------------------------------------------------------

  app.get("/bench/json", (req, res) => res.json({ ok: true }));

  app.get("/bench/one", async (req, res) => {
    const id = BigInt(req.get("x-bench-user") || 1);
    const user = await prisma.user.findUnique({
      where: { id },
      select: { id: true, email: true, display_name: true, timezone: true },
    });
    res.json({ user: user && { ...user, id: Number(user.id) } });
  });

  // -- the endpoints ---------------------------------------------------------------

  const api = express.Router();
  api.use(authenticate);

  api.get("/users/me", (req, res) => {
    const u = req.user;
    res.json({
      id: Number(u.id),
      email: u.email,
      pending_email: u.pending_email,
      email_verified: u.email_verified,
      display_name: u.display_name,
      avatar_url: u.avatar_url,
      bio: u.bio,
      timezone: u.timezone,
      locale: u.locale,
      reminder_time: timeOfDay(u.reminder_time),
      notify_email: u.notify_email,
      notify_push: u.notify_push,
      quiet_hours_start: timeOfDay(u.quiet_hours_start),
      quiet_hours_end: timeOfDay(u.quiet_hours_end),
      gentle_mode: u.gentle_mode,
      leaderboard_opt_out: u.leaderboard_opt_out,
      ai_consent:
        u.ai_consent_version !== null && u.ai_consent_version === aiConsentVersion,
      ai_consent_version: u.ai_consent_version,
      ai_consent_at: instant(u.ai_consent_at),
      subscription_tier: u.subscription_tier,
      subscription_expires_at: instant(u.subscription_expires_at),
      is_staff: u.is_staff,
      date_joined: instant(u.date_joined),
      updated_at: instant(u.updated_at),
    });
  });

  // DRF's PageNumberPagination: count, absolute next/previous links.
  const pageParams = (req) => {
    const size = req.query.page_size === undefined ? 20 : Number(req.query.page_size);
    const page = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(page) || page < 1) {
      return null;
    }
    return { size: Math.min(size, 100), page };
  };
  const pageLink = (req, page) => {
    const query = { ...req.query };
    if (page === 1) delete query.page;
    else query.page = String(page);
    const keys = Object.keys(query).sort();
    const search = new URLSearchParams(keys.map((key) => [key, query[key]])).toString();
    return `${req.protocol}://${req.get("host")}${req.baseUrl}${req.path}${search ? `?${search}` : ""}`;
  };
  const paginated = (req, count, page, size, results) => ({
    count,
    next: page * size < count ? pageLink(req, page + 1) : null,
    previous: page > 1 ? pageLink(req, page - 1) : null,
    results,
  });

  api.get("/sessions", async (req, res) => {
    const params = pageParams(req);
    if (params === null) {
      res.status(400).json({ error: { code: "validation_error", message: "Bad page." } });
      return;
    }
    const { page, size } = params;
    const userId = req.user.id;
    const count = await prisma.wellnessSession.count({ where: { user_id: userId } });
    const rows = await prisma.$queryRaw`
      SELECT id, type, title, status, client_id::text AS client_id,
        planned_duration_seconds, actual_duration_seconds, progress_seconds,
        enrollment_id, program_day_id, generated_content_id, mood_before, mood_after,
        notes,
        to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS started_at,
        to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS completed_at,
        to_char(abandoned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS abandoned_at,
        local_date::text AS local_date,
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at
      FROM wellness_wellnesssession WHERE user_id = ${userId}
      ORDER BY started_at DESC, id DESC LIMIT ${size} OFFSET ${(page - 1) * size}`;
    if (rows.length === 0 && page > 1) {
      res.status(404).json({ error: { code: "not_found", message: "Invalid page." } });
      return;
    }
    res.json(
      paginated(
        req,
        count,
        page,
        size,
        rows.map((s) => ({
          id: Number(s.id),
          type: s.type,
          title: s.title,
          status: s.status,
          client_id: s.client_id,
          planned_duration_seconds: s.planned_duration_seconds,
          actual_duration_seconds: s.actual_duration_seconds,
          progress_seconds: s.progress_seconds,
          enrollment_id: integer(s.enrollment_id),
          program_day_id: integer(s.program_day_id),
          generated_content_id: s.generated_content_id,
          mood_before: s.mood_before,
          mood_after: s.mood_after,
          notes: decrypt(s.notes),
          started_at: instant(s.started_at),
          completed_at: instant(s.completed_at),
          abandoned_at: instant(s.abandoned_at),
          local_date: s.local_date,
          updated_at: instant(s.updated_at),
        })),
      ),
    );
  });

  // The user's live journal entries, newest first, decrypted, with their tag
  // names and prompt in the same query.
  api.get("/journal", async (req, res) => {
    const params = pageParams(req);
    if (params === null || Object.keys(req.query).some((k) => k !== "page" && k !== "page_size")) {
      res.status(400).json({ error: { code: "validation_error", message: "Bad query." } });
      return;
    }
    const { page, size } = params;
    const userId = req.user.id;
    const count = await prisma.journalEntry.count({
      where: { user_id: userId, deleted_at: null },
    });
    const rows = await prisma.$queryRaw`
      SELECT e.id, e.title, e.body, e.mood_entry_id, e.client_id::text AS client_id,
        p.id AS prompt_id, p.text AS prompt_text,
        ARRAY(SELECT t.name FROM journal_journaltag t WHERE t.entry_id = e.id
              ORDER BY t.id) AS tags,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS occurred_at,
        e.local_date::text AS local_date,
        to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at,
        to_char(e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at,
        to_char(e.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS deleted_at
      FROM journal_journalentry e LEFT JOIN journal_prompt p ON p.id = e.prompt_id
      WHERE e.user_id = ${userId} AND e.deleted_at IS NULL
      ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${size} OFFSET ${(page - 1) * size}`;
    if (rows.length === 0 && page > 1) {
      res.status(404).json({ error: { code: "not_found", message: "Invalid page." } });
      return;
    }
    res.json(
      paginated(
        req,
        count,
        page,
        size,
        rows.map((e) => ({
          id: Number(e.id),
          title: decrypt(e.title),
          body: decrypt(e.body),
          tags: e.tags,
          prompt: e.prompt_id === null ? null : { id: Number(e.prompt_id), text: e.prompt_text },
          mood_entry_id: integer(e.mood_entry_id),
          client_id: e.client_id,
          occurred_at: instant(e.occurred_at),
          local_date: e.local_date,
          created_at: instant(e.created_at),
          updated_at: instant(e.updated_at),
          deleted_at: instant(e.deleted_at),
        })),
      ),
    );
  });

  // DRF's CursorPagination position: str() of the aware datetime.
  const position = (text) =>
    `${text.endsWith(".000000") ? text.slice(0, -7) : text}+00:00`;

  // The feed (community.selectors.post_feed): public posts and the user's
  // active groups' posts, published or their own, newest first, with author,
  // group, counts and liked-by-me in one query; the first page of DRF's
  // cursor pagination (page_size + 1 rows tell whether a next page exists).
  api.get("/community", async (req, res) => {
    const params = pageParams(req);
    if (params === null || req.query.cursor !== undefined || req.query.page !== undefined) {
      res.status(400).json({
        error: { code: "validation_error", message: "Only the first page is served." },
      });
      return;
    }
    const size = params.size;
    const userId = req.user.id;
    const rows = await prisma.$queryRaw`
      SELECT p.id, p.author_id, u.display_name, u.avatar_url, p.group_id,
        g.name AS group_name, g.slug AS group_slug, p.body, p.is_anonymous, p.topics,
        p.status, p.like_count, p.comment_count,
        to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at,
        to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS position,
        to_char(p.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS edited_at,
        EXISTS (SELECT 1 FROM community_postlike l
                WHERE l.post_id = p.id AND l.user_id = ${userId}) AS liked
      FROM community_post p
        JOIN accounts_user u ON u.id = p.author_id
        LEFT JOIN community_supportgroup g ON g.id = p.group_id
      WHERE p.deleted_at IS NULL
        AND (p.status = 'published' OR p.author_id = ${userId})
        AND (p.group_id IS NULL OR p.group_id IN (
          SELECT m.group_id FROM community_supportgroupmember m
          WHERE m.user_id = ${userId} AND m.status = 'active'))
      ORDER BY p.created_at DESC, p.id DESC LIMIT ${size + 1}`;
    const page = rows.slice(0, size);
    let next = null;
    if (rows.length > size) {
      // DRF's get_next_link on a first page: the last position on the page
      // that differs from the following one, and how many share it.
      let compare = position(rows[size].position);
      let offset = 0;
      let marker = null;
      for (let i = page.length - 1; i >= 0; i -= 1) {
        const here = position(page[i].position);
        if (here !== compare) {
          marker = here;
          break;
        }
        compare = here;
        offset += 1;
      }
      if (marker === null) offset = size;
      const tokens = new URLSearchParams();
      if (offset !== 0) tokens.set("o", String(offset));
      if (marker !== null) tokens.set("p", marker);
      const cursor = Buffer.from(tokens.toString(), "ascii").toString("base64");
      const query = { ...req.query, cursor };
      const keys = Object.keys(query).sort();
      const search = new URLSearchParams(keys.map((key) => [key, query[key]]));
      next = `${req.protocol}://${req.get("host")}${req.baseUrl}${req.path}?${search}`;
    }
    res.json({
      next,
      previous: null,
      results: page.map((p) => ({
        id: Number(p.id),
        author: p.is_anonymous
          ? { display_name: "Anonymous", avatar_url: "" }
          : { display_name: p.display_name, avatar_url: p.avatar_url },
        is_author: p.author_id === userId,
        anonymous: p.is_anonymous,
        body: p.body,
        group:
          p.group_id === null
            ? null
            : { id: Number(p.group_id), name: p.group_name, slug: p.group_slug },
        topics: p.topics,
        status: p.status,
        like_count: p.like_count,
        comment_count: p.comment_count,
        liked: p.liked,
        created_at: instant(p.created_at),
        edited_at: instant(p.edited_at),
      })),
    });
  });

  const SESSION_TYPES = [
    "meditation",
    "breathing",
    "body_scan",
    "sleep",
    "yoga",
    "movement",
    "focus",
    "gratitude",
  ];
  const DAYS_MS = 86400000;
  const dayNumber = (day) => Date.parse(`${day}T00:00:00Z`) / DAYS_MS;
  const practice = (sessions, seconds) => ({
    sessions_count: Number(sessions || 0),
    duration_seconds: Number(seconds || 0),
  });

  // wellness.selectors.session_stats: the lifetime rollup by type, the
  // per-day rollup of the two weeks, and the streak (three queries).
  api.get("/sessions/stats", async (req, res) => {
    const userId = req.user.id;
    const today = localToday(req.user.timezone);
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const thisMonday = addDays(today, -weekday);
    const lastMonday = addDays(thisMonday, -7);
    const [totals, days, streak] = await Promise.all([
      prisma.sessionTotal.findMany({ where: { user_id: userId } }),
      prisma.sessionDay.findMany({
        where: {
          user_id: userId,
          local_date: { gte: new Date(`${lastMonday}T00:00:00Z`), lte: new Date(`${today}T00:00:00Z`) },
        },
        select: { local_date: true, sessions_count: true, duration_seconds: true },
      }),
      prisma.streak.findUnique({ where: { user_id: userId } }),
    ]);
    const byType = new Map(totals.map((row) => [row.type, row]));
    let sessions = 0;
    let seconds = 0;
    let pairs = 0;
    let change = 0;
    for (const row of totals) {
      sessions += row.sessions_count;
      seconds += Number(row.duration_seconds);
      pairs += row.mood_pairs_count;
      change += row.mood_after_sum - row.mood_before_sum;
    }
    const weeks = { this: [null, null], last: [null, null] };
    for (const row of days) {
      const day = row.local_date.toISOString().slice(0, 10);
      const week = day >= thisMonday ? weeks.this : weeks.last;
      week[0] = (week[0] ?? 0) + row.sessions_count;
      week[1] = (week[1] ?? 0) + Number(row.duration_seconds);
    }
    const result = {
      ...practice(sessions, seconds),
      by_type: SESSION_TYPES.map((type) => ({
        type,
        ...practice(byType.get(type)?.sessions_count, byType.get(type)?.duration_seconds),
      })),
      this_week: practice(...weeks.this),
      last_week: practice(...weeks.last),
      average_mood_change: pairs ? round2(change / pairs) : null,
      mood_change_sessions_count: pairs,
    };
    if (!req.user.gentle_mode) {
      // wellness.streaks.streak_view on the user's local today.
      let current = 0;
      let freezes = streak ? streak.freezes_banked : 0;
      if (streak && streak.last_active_date !== null) {
        const missed =
          dayNumber(today) - streak.last_active_date.getTime() / DAYS_MS - 1;
        if (missed <= 0) current = streak.current_length;
        else if (missed <= streak.freezes_banked) {
          current = streak.current_length;
          freezes = streak.freezes_banked - missed;
        }
      }
      result.current_streak = current;
      result.longest_streak = streak ? streak.longest_length : 0;
      result.streak_freezes_available = freezes;
    }
    res.json(result);
  });

  // The default range only (the last 30 local days of the user); the bench
  // asks for nothing else.
  api.get("/journal/mood/history", async (req, res) => {
    if (Object.keys(req.query).length) {
      res.status(400).json({
        error: { code: "validation_error", message: "Only the default range is served." },
      });
      return;
    }
    const userId = req.user.id;
    const dateTo = localToday(req.user.timezone);
    const dateFrom = addDays(dateTo, -29);
    const [days, entries] = await Promise.all([
      prisma.$queryRaw`
        SELECT local_date::text AS local_date, count(*)::int AS entries_count,
          sum(score)::int AS score_sum, sum(intensity)::int AS intensity_sum,
          min(score) AS lowest_score, max(score) AS highest_score
        FROM journal_moodentry
        WHERE user_id = ${userId} AND local_date >= ${dateFrom}::date
          AND local_date <= ${dateTo}::date
        GROUP BY local_date ORDER BY local_date`,
      prisma.$queryRaw`
        SELECT e.id, e.mood, e.score, e.intensity, e.note, e.client_id::text AS client_id,
          to_char(e.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS logged_at,
          e.local_date::text AS local_date,
          to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at,
          to_char(e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at,
          ARRAY(SELECT t.value FROM journal_moodtag t
                WHERE t.entry_id = e.id AND t.kind = 'emotion' ORDER BY t.id) AS emotions,
          ARRAY(SELECT t.value FROM journal_moodtag t
                WHERE t.entry_id = e.id AND t.kind = 'factor' ORDER BY t.id) AS factors
        FROM journal_moodentry e
        WHERE e.user_id = ${userId} AND e.local_date >= ${dateFrom}::date
          AND e.local_date <= ${dateTo}::date
        ORDER BY e.logged_at DESC, e.id DESC`,
    ]);
    res.json({
      date_from: dateFrom,
      date_to: dateTo,
      days: days.map((d) => ({
        local_date: d.local_date,
        entries_count: d.entries_count,
        average_score: round2(d.score_sum / d.entries_count),
        average_intensity: round2(d.intensity_sum / d.entries_count),
        lowest_score: d.lowest_score,
        highest_score: d.highest_score,
      })),
      entries: entries.map((e) => ({
        id: Number(e.id),
        mood: e.mood,
        score: e.score,
        intensity: e.intensity,
        emotions: e.emotions,
        factors: e.factors,
        note: decrypt(e.note),
        client_id: e.client_id,
        logged_at: instant(e.logged_at),
        local_date: e.local_date,
        created_at: instant(e.created_at),
        updated_at: instant(e.updated_at),
      })),
    });
  });

  app.use("/api/v1", api);
  app.get("/health", (req, res) => res.json({ status: "ok" }));

  // KAYA's error shape: {"error": {"code", "message"}}.
  app.use((error, req, res, next) => {
    if (error instanceof Unauthorized) {
      res.status(401).json({ error: { code: error.code, message: error.message } });
      return;
    }
    console.error(error);
    res.status(500).json({ error: { code: "server_error", message: "Server error." } });
    next;
  });

  app.listen(PORT, "127.0.0.1");
}
