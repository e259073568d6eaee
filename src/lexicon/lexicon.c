/* lexicon.c -- the lexicon's store: one SQLite file in the data folder, shared by every
 * instance. WAL (readers never wait for the writer), synchronous FULL (a change that was
 * answered is on disk), a busy timeout (a second writer waits its turn, then is told), every
 * change in one transaction with its history row, and an integrity check at open. The only
 * file that includes <sqlite3.h>. One connection per process behind a mutex: changes are
 * rare and small, and matching reads the snapshot in memory, not the file. */
#include "lexicon.h"
#include "lexicon_int.h"

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

#include "banned.h"

#define LYSSNA_LEX_BUSY_MS 5000 /* a writer waits this long for another */
#define LYSSNA_LEX_POLL_S  1    /* how often other processes' changes are looked for */

struct lexicon {
    sqlite3 *db;
    pthread_mutex_t lock; /* guards db and the fields below */
    struct lex_snapshot *snap;
    unsigned long gen;
    long long data_version;
    time_t polled;
    int dirty; /* this process changed the file: data_version does not count its own */
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS entry("
    " id INTEGER PRIMARY KEY, text TEXT NOT NULL, say TEXT NOT NULL, lang TEXT NOT NULL,"
    " scope TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', who TEXT NOT NULL,"
    " changed INTEGER NOT NULL, UNIQUE(text, lang, scope));"
    "CREATE TABLE IF NOT EXISTS history("
    " change INTEGER PRIMARY KEY, at INTEGER NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,"
    " id INTEGER NOT NULL, before TEXT, after TEXT);";

#define COLUMNS "id, text, say, lang, scope, note, who, changed"

static int db_error(sqlite3 *db, int rc, const char *what, struct err *e)
{
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return err_set(e, LY_EBUSY, "the lexicon is being changed by someone else: try again");
    return err_set(e, LY_EIO, "lexicon: cannot %s: %s", what, sqlite3_errmsg(db));
}

/* Runs sql without results. */
static int exec(struct lexicon *lx, const char *sql, const char *what, struct err *e)
{
    int rc = sqlite3_exec(lx->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? LY_OK : db_error(lx->db, rc, what, e);
}

/* The first column of sql's first row as text into out. */
static int query_text(struct lexicon *lx, const char *sql, char *out, size_t size, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(lx->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, size, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? LY_OK : db_error(lx->db, rc, sql, e);
}

struct lexicon *lexicon_open(const char *path, struct err *e)
{
    struct lexicon *lx = xcalloc(1, sizeof(*lx));
    char ok[256] = "";
    int rc;

    pthread_mutex_init(&lx->lock, NULL);
    rc = sqlite3_open_v2(path, &lx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, LY_EIO, "cannot open the lexicon '%s': %s", path,
                lx->db ? sqlite3_errmsg(lx->db) : "out of memory");
        lexicon_free(lx);
        return NULL;
    }
    sqlite3_busy_timeout(lx->db, LYSSNA_LEX_BUSY_MS);
    sqlite3_extended_result_codes(lx->db, 0);
    if (query_text(lx, "PRAGMA journal_mode=WAL", ok, sizeof(ok), e) ||
        exec(lx, "PRAGMA synchronous=FULL", "set synchronous", e) ||
        query_text(lx, "PRAGMA integrity_check", ok, sizeof(ok), e) ||
        (strcmp(ok, "ok") && err_set(e, LY_EIO, "the lexicon '%s' is damaged: %s", path, ok)) ||
        exec(lx, schema, "make the tables", e)) {
        lexicon_free(lx);
        return NULL;
    }
    return lx;
}

void lexicon_free(struct lexicon *lx)
{
    if (!lx)
        return;
    sqlite3_close(lx->db);
    lex_snapshot_unref(lx->snap);
    pthread_mutex_destroy(&lx->lock);
    free(lx);
}

static void column(sqlite3_stmt *st, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static void row_entry(sqlite3_stmt *st, struct lexicon_entry *en)
{
    en->id = sqlite3_column_int64(st, 0);
    column(st, 1, en->text, sizeof(en->text));
    column(st, 2, en->say, sizeof(en->say));
    column(st, 3, en->lang, sizeof(en->lang));
    column(st, 4, en->scope, sizeof(en->scope));
    column(st, 5, en->note, sizeof(en->note));
    column(st, 6, en->who, sizeof(en->who));
    en->changed = sqlite3_column_int64(st, 7);
}

static struct lexicon_entry *list_push(struct lexicon_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->e = xreallocarray(l->e, l->cap, sizeof(*l->e));
    }
    memset(&l->e[l->n], 0, sizeof(l->e[0]));
    return &l->e[l->n++];
}

void lexicon_list_release(struct lexicon_list *l)
{
    free(l->e);
    l->e = NULL;
    l->n = l->cap = 0;
}

/* Every entry in written order into out, under lx->lock. */
static int load_all(struct lexicon *lx, struct lexicon_list *out, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(lx->db, "SELECT " COLUMNS " FROM entry ORDER BY text, id", -1, &st,
                                NULL);

    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_entry(st, list_push(out)), rc = SQLITE_OK;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        lexicon_list_release(out);
        return db_error(lx->db, rc, "read the entries", e);
    }
    return LY_OK;
}

/* The entry id into out under lx->lock: 1 when there, 0 when not, -1 on an error (e set). */
static int find_id(struct lexicon *lx, long long id, struct lexicon_entry *out, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(lx->db, "SELECT " COLUMNS " FROM entry WHERE id = ?", -1, &st, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            row_entry(st, out);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc == SQLITE_ROW;
    db_error(lx->db, rc, "read an entry", e);
    return -1;
}

static json_t *entry_json(const struct lexicon_entry *en)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)en->id, "text",
                     en->text, "say", en->say, "lang", en->lang, "scope", en->scope, "note",
                     en->note, "who", en->who, "changed", (json_int_t)en->changed);
}

/* The history row of a change: the entry id before and after it (NULL: it was not there). */
static int record(struct lexicon *lx, const char *who, const char *action, long long id,
                  const struct lexicon_entry *before, const struct lexicon_entry *after,
                  struct err *e)
{
    sqlite3_stmt *st = NULL;
    char *b = NULL, *a = NULL;
    json_t *j;
    int rc;

    if (before && (j = entry_json(before)))
        b = json_dumps(j, JSON_COMPACT), json_decref(j);
    if (after && (j = entry_json(after)))
        a = json_dumps(j, JSON_COMPACT), json_decref(j);
    rc = sqlite3_prepare_v2(lx->db,
                            "INSERT INTO history(at, who, action, id, before, after) "
                            "VALUES(?, ?, ?, ?, ?, ?)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
        sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, id);
        b ? sqlite3_bind_text(st, 5, b, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 5);
        a ? sqlite3_bind_text(st, 6, a, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 6);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(b);
    free(a);
    return rc == SQLITE_DONE ? LY_OK : db_error(lx->db, rc, "record the change", e);
}

/* Writes en as entry id (0: a new one, its id into en->id), stamped with who and now. */
static int store(struct lexicon *lx, struct lexicon_entry *en, const char *who, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    snprintf(en->who, sizeof(en->who), "%s", who);
    en->changed = (long long)time(NULL);
    rc = sqlite3_prepare_v2(lx->db,
                            "INSERT OR REPLACE INTO entry(id, text, say, lang, scope, note, who, "
                            "changed) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        en->id ? sqlite3_bind_int64(st, 1, en->id) : sqlite3_bind_null(st, 1);
        sqlite3_bind_text(st, 2, en->text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, en->say, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, en->lang, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, en->scope, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, en->note, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, en->who, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, en->changed);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        en->id = sqlite3_last_insert_rowid(lx->db);
        return LY_OK;
    }
    return db_error(lx->db, rc, "store the entry", e);
}

/* The id of the entry with en's text, language and scope other than id self, or 0. */
static long long same_entry(struct lexicon *lx, const struct lexicon_entry *en, long long self)
{
    sqlite3_stmt *st = NULL;
    long long id = 0;

    if (sqlite3_prepare_v2(lx->db,
                           "SELECT id FROM entry WHERE text = ? AND lang = ? AND scope = ? "
                           "AND id != ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, en->text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, en->lang, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, en->scope, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, self);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

/* One change to entry id (0: a new entry): after NULL removes it. Under lx->lock, inside a
 * transaction. */
static int change(struct lexicon *lx, long long id, const struct lexicon_entry *after,
                  const char *who, const char *action, long long *out_id, struct err *e)
{
    struct lexicon_entry before, now;
    long long other;
    sqlite3_stmt *st = NULL;
    int had = 0, rc;

    if (id && (had = find_id(lx, id, &before, e)) < 0)
        return e->code;
    if (id && !had && strcmp(action, "undo"))
        return err_set(e, LY_EINPUT, "no lexicon entry %lld", id);
    if (after && (other = same_entry(lx, after, id)))
        return err_set(e, LY_EUSAGE, "'%s' (%s%s%s) is in the lexicon already: entry %lld",
                       after->text, after->lang, after->scope[0] ? ", " : "", after->scope, other);
    if (after) {
        now = *after;
        now.id = id;
        if ((rc = store(lx, &now, who, e)))
            return rc;
        id = now.id;
    } else if (had) {
        rc = sqlite3_prepare_v2(lx->db, "DELETE FROM entry WHERE id = ?", -1, &st, NULL);
        if (rc == SQLITE_OK)
            sqlite3_bind_int64(st, 1, id), rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_error(lx->db, rc, "remove the entry", e);
    }
    if (out_id)
        *out_id = id;
    return record(lx, who, action, id, had ? &before : NULL, after ? &now : NULL, e);
}

/* BEGIN IMMEDIATE: the write lock is taken now (waiting up to the busy timeout), not at the
 * first write, so that two writers never both read first and then fail. */
static int begin(struct lexicon *lx, struct err *e)
{
    pthread_mutex_lock(&lx->lock);
    if (exec(lx, "BEGIN IMMEDIATE", "start a change", e)) {
        pthread_mutex_unlock(&lx->lock);
        return e->code;
    }
    return LY_OK;
}

static int end(struct lexicon *lx, int rc, struct err *e)
{
    if (rc == LY_OK)
        rc = exec(lx, "COMMIT", "save the change", e);
    if (rc != LY_OK)
        sqlite3_exec(lx->db, "ROLLBACK", NULL, NULL, NULL);
    else
        lx->dirty = 1;
    pthread_mutex_unlock(&lx->lock);
    return rc;
}

int lexicon_add(struct lexicon *lx, const struct lexicon_entry *en, const char *who, long long *id,
                struct err *e)
{
    int rc = begin(lx, e);

    return rc ? rc : end(lx, change(lx, 0, en, who, "add", id, e), e);
}

int lexicon_update(struct lexicon *lx, long long id, const struct lexicon_entry *en,
                   const char *who, struct err *e)
{
    int rc = begin(lx, e);

    return rc ? rc : end(lx, change(lx, id, en, who, "change", NULL, e), e);
}

int lexicon_remove(struct lexicon *lx, long long id, const char *who, struct err *e)
{
    int rc = begin(lx, e);

    return rc ? rc : end(lx, change(lx, id, NULL, who, "remove", NULL, e), e);
}

int lexicon_import(struct lexicon *lx, const struct lexicon_list *l, const char *who, struct err *e)
{
    size_t i;
    int rc = begin(lx, e);

    if (rc)
        return rc;
    for (i = 0; !rc && i < l->n; i++) {
        long long id = same_entry(lx, &l->e[i], 0);
        rc = change(lx, id, &l->e[i], who, id ? "change" : "add", NULL, e);
    }
    return end(lx, rc, e);
}

/* The entry a history cell (JSON) holds into en: 1 when it holds one. */
static int cell_entry(sqlite3_stmt *st, int col, struct lexicon_entry *en)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    json_t *j = t ? json_loads(t, 0, NULL) : NULL;
    const char *text = NULL, *say = NULL, *lang = NULL, *scope = NULL, *note = NULL;
    json_int_t id = 0;
    int ok;

    ok = j && !json_unpack(j, "{s:I, s:s, s:s, s:s, s:s, s:s}", "id", &id, "text", &text, "say",
                           &say, "lang", &lang, "scope", &scope, "note", &note);
    if (ok) {
        memset(en, 0, sizeof(*en));
        en->id = id;
        snprintf(en->text, sizeof(en->text), "%s", text);
        snprintf(en->say, sizeof(en->say), "%s", say);
        snprintf(en->lang, sizeof(en->lang), "%s", lang);
        snprintf(en->scope, sizeof(en->scope), "%s", scope);
        snprintf(en->note, sizeof(en->note), "%s", note);
    }
    json_decref(j);
    return ok;
}

int lexicon_undo(struct lexicon *lx, long long number, const char *who, struct err *e)
{
    struct lexicon_entry before;
    sqlite3_stmt *st = NULL;
    long long id = 0;
    int rc = begin(lx, e), had = 0, step;

    if (rc)
        return rc;
    if (sqlite3_prepare_v2(lx->db, "SELECT id, before FROM history WHERE change = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, number);
        if ((step = sqlite3_step(st)) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            had = cell_entry(st, 1, &before);
        }
    }
    sqlite3_finalize(st);
    /* the entry goes back to what it was before that change: there, or gone */
    rc = id ? change(lx, id, had ? &before : NULL, who, "undo", NULL, e)
            : err_set(e, LY_EINPUT, "no change %lld in the lexicon's history", number);
    return end(lx, rc, e);
}

int lexicon_search(struct lexicon *lx, const char *q, size_t max, struct lexicon_list *out,
                   struct err *e)
{
    struct lexicon_list all = {0};
    char fq[LEXICON_TEXT_MAX + 1], ft[LEXICON_TEXT_MAX + 1];
    size_t i, n = q ? strlen(q) : 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (n > LEXICON_TEXT_MAX)
        return LY_OK;
    svtext_fold(q ? q : "", n, fq);
    fq[n] = '\0';
    pthread_mutex_lock(&lx->lock);
    rc = load_all(lx, &all, e);
    pthread_mutex_unlock(&lx->lock);
    for (i = 0; !rc && i < all.n && (!max || out->n < max); i++) {
        size_t tn = strlen(all.e[i].text);
        svtext_fold(all.e[i].text, tn, ft);
        ft[tn] = '\0';
        if (strstr(ft, fq))
            *list_push(out) = all.e[i];
    }
    lexicon_list_release(&all);
    return rc;
}

int lexicon_get(struct lexicon *lx, long long id, struct lexicon_entry *out, struct err *e)
{
    int found;

    pthread_mutex_lock(&lx->lock);
    found = find_id(lx, id, out, e);
    pthread_mutex_unlock(&lx->lock);
    if (found < 0)
        return e->code;
    return found ? LY_OK : err_set(e, LY_EINPUT, "no lexicon entry %lld", id);
}

/* A history cell as JSON (null when empty). */
static json_t *cell_json(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    json_t *j = t ? json_loads(t, 0, NULL) : NULL;

    return j ? j : json_null();
}

int lexicon_history(struct lexicon *lx, size_t max, struct buf *out, struct err *e)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    char *s;
    int rc;

    pthread_mutex_lock(&lx->lock);
    rc = sqlite3_prepare_v2(lx->db,
                            "SELECT change, at, who, action, id, before, after FROM history "
                            "ORDER BY change DESC LIMIT ?",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:o}", "change",
                                             (json_int_t)sqlite3_column_int64(st, 0), "at",
                                             (json_int_t)sqlite3_column_int64(st, 1), "who",
                                             (const char *)sqlite3_column_text(st, 2), "action",
                                             (const char *)sqlite3_column_text(st, 3), "id",
                                             (json_int_t)sqlite3_column_int64(st, 4), "before",
                                             cell_json(st, 5), "after", cell_json(st, 6)));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    rc = rc == SQLITE_DONE ? LY_OK : db_error(lx->db, rc, "read the history", e);
    pthread_mutex_unlock(&lx->lock);
    if (rc == LY_OK && (s = json_dumps(arr, JSON_COMPACT))) {
        buf_adds(out, s, NULL);
        free(s);
    }
    json_decref(arr);
    return rc;
}

static long long data_version(struct lexicon *lx)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_prepare_v2(lx->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

struct lex_snapshot *lex_snapshot_get(struct lexicon *lx, unsigned long *gen)
{
    struct lexicon_list all = {0};
    struct lex_snapshot *s;
    struct err e = {0};
    time_t now = time(NULL);
    long long v;

    pthread_mutex_lock(&lx->lock);
    /* another process's change shows in data_version (looked at once a second); this
       process's own does not, and marks the snapshot dirty instead */
    if (!lx->snap || lx->dirty || now - lx->polled >= LYSSNA_LEX_POLL_S) {
        lx->polled = now;
        v = data_version(lx);
        if ((!lx->snap || lx->dirty || v != lx->data_version) && load_all(lx, &all, &e) == LY_OK) {
            lex_snapshot_unref(lx->snap);
            lx->snap = lex_snapshot_new(&all);
            lx->gen++;
            lx->dirty = 0;
            lx->data_version = v;
        }
    }
    s = lx->snap;
    if (s)
        s->refs++;
    *gen = lx->gen;
    pthread_mutex_unlock(&lx->lock);
    return s;
}
