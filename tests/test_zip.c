/* test_zip.c - the zip reader on archives built here byte by byte: stored and
 * deflated members, zip64 sizes, and each kind of damage. */
#include "harness.h"

#include "../common/err.h"
#include "../codecs/zip.h"

#include <stdint.h>
#include <zlib.h>

static uint8_t *put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
    return p + 2;
}
static uint8_t *put32(uint8_t *p, uint32_t v) { return put16(put16(p, v & 0xffff), v >> 16); }
static uint8_t *put64(uint8_t *p, uint64_t v) { return put32(put32(p, (uint32_t)v), (uint32_t)(v >> 32)); }

typedef struct mem {
    const char *name;
    const uint8_t *data;
    size_t len;
    int method;
} mem;

static size_t cd_off_of[4], data_off_of[4];

/* Write members into buf as a zip archive; zip64 != 0 writes 0xffffffff sizes
 * and offsets with a zip64 extra field.  Returns the archive size. */
static size_t build(uint8_t *buf, const mem *m, int n, int zip64)
{
    uint8_t comp[4][4096];
    size_t clen[4], loff[4];
    uint8_t *p = buf;
    for (int i = 0; i < n; i++) {
        if (m[i].method == 8) {
            z_stream s;
            memset(&s, 0, sizeof s);
            deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
            s.next_in = (uint8_t *)m[i].data, s.avail_in = (uInt)m[i].len;
            s.next_out = comp[i], s.avail_out = sizeof comp[i];
            deflate(&s, Z_FINISH);
            clen[i] = s.total_out;
            deflateEnd(&s);
        } else {
            memcpy(comp[i], m[i].data, m[i].len);
            clen[i] = m[i].len;
        }
        loff[i] = (size_t)(p - buf);
        p = put32(p, 0x04034b50), p = put16(p, 20), p = put16(p, 0), p = put16(p, (unsigned)m[i].method);
        p = put32(p, 0), p = put32(p, (uint32_t)crc32(0, m[i].data, (uInt)m[i].len));
        p = put32(p, (uint32_t)clen[i]), p = put32(p, (uint32_t)m[i].len);
        p = put16(p, (unsigned)strlen(m[i].name)), p = put16(p, 0);
        memcpy(p, m[i].name, strlen(m[i].name)), p += strlen(m[i].name);
        data_off_of[i] = (size_t)(p - buf);
        memcpy(p, comp[i], clen[i]), p += clen[i];
    }
    uint8_t *cd = p;
    for (int i = 0; i < n; i++) {
        cd_off_of[i] = (size_t)(p - buf);
        p = put32(p, 0x02014b50), p = put16(p, 45), p = put16(p, 45), p = put16(p, 0);
        p = put16(p, (unsigned)m[i].method), p = put32(p, 0);
        p = put32(p, (uint32_t)crc32(0, m[i].data, (uInt)m[i].len));
        p = put32(p, zip64 ? 0xffffffffu : (uint32_t)clen[i]);
        p = put32(p, zip64 ? 0xffffffffu : (uint32_t)m[i].len);
        p = put16(p, (unsigned)strlen(m[i].name)), p = put16(p, zip64 ? 28 : 0), p = put16(p, 0);
        p = put16(p, 0), p = put16(p, 0), p = put32(p, 0);
        p = put32(p, zip64 ? 0xffffffffu : (uint32_t)loff[i]);
        memcpy(p, m[i].name, strlen(m[i].name)), p += strlen(m[i].name);
        if (zip64) {
            p = put16(p, 1), p = put16(p, 24);
            p = put64(p, m[i].len), p = put64(p, clen[i]), p = put64(p, loff[i]);
        }
    }
    size_t cd_size = (size_t)(p - cd), cd_off = (size_t)(cd - buf);
    p = put32(p, 0x06054b50), p = put16(p, 0), p = put16(p, 0);
    p = put16(p, (unsigned)n), p = put16(p, (unsigned)n);
    p = put32(p, (uint32_t)cd_size), p = put32(p, (uint32_t)cd_off), p = put16(p, 0);
    return (size_t)(p - buf);
}

static uint8_t text[3000], arc[16384];
static const mem members[2] = {{"a.npy", text, sizeof text, 0}, {"b.npy", text, sizeof text, 8}};

static void fill(void)
{
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (uint8_t)("coreset zip test "[i % 17] + i / 500);
}

static void check_members(cs_zip *z)
{
    CHECK(zip_count(z) == 2 && zip_find(z, "b.npy") == 1 && zip_find(z, "c.npy") < 0);
    for (int i = 0; i < 2; i++) {
        uint8_t *buf = NULL, pre[40];
        size_t len = 0;
        CHECK_OK(zip_extract(z, i, &buf, &len));
        CHECK(buf && len == sizeof text && memcmp(buf, text, len) == 0);
        free(buf);
        CHECK_OK(zip_read_prefix(z, i, pre, sizeof pre));
        CHECK(memcmp(pre, text, sizeof pre) == 0);
        CHECK_OK(zip_verify(z, i));
    }
    CHECK(zip_member_at(z, 0)->method == 0 && zip_member_at(z, 1)->method == 8);
    CHECK(zip_member_at(z, 1)->comp_size < sizeof text);
}

static void test_members(void)
{
    fill();
    size_t n = build(arc, members, 2, 0);
    cs_zip *z = NULL;
    CHECK_OK(zip_open_mem(&z, arc, n, "t.npz"));
    if (z)
        check_members(z);
    zip_free(z);
    n = build(arc, members, 2, 1);
    CHECK_OK(zip_open_mem(&z, arc, n, "t64.npz"));
    if (z) {
        CHECK(zip_member_at(z, 1)->size == sizeof text);
        check_members(z);
    }
    zip_free(z);
}

/* Open a damaged copy; the failure must come from `member` (or opening if -1). */
static void expect_damage(uint8_t *a, size_t n, int member, const char *msg)
{
    cs_zip *z = NULL;
    int rc = zip_open_mem(&z, a, n, "bad.npz");
    if (member >= 0 && rc == 0) {
        uint8_t *buf = NULL;
        size_t len;
        rc = zip_extract(z, member, &buf, &len);
        free(buf);
    }
    CHECK_MSG(rc != 0, "damage not detected (want '%s')", msg);
    CHECK_MSG(strstr(cs_errmsg(), msg) && strstr(cs_errmsg(), "'bad.npz'"), "message '%s', want '%s'",
              cs_errmsg(), msg);
    zip_free(z);
}

static void test_damage(void)
{
    fill();
    size_t n = build(arc, members, 2, 0);
    static uint8_t a[sizeof arc];
    memcpy(a, arc, n), a[data_off_of[0] + 100] ^= 1;
    expect_damage(a, n, 0, "member 'a.npy': CRC mismatch");
    memcpy(a, arc, n), a[cd_off_of[1] + 16] ^= 1;
    expect_damage(a, n, 1, "member 'b.npy': CRC mismatch");
    memcpy(a, arc, n), put32(a + cd_off_of[1] + 24, sizeof text + 1);
    expect_damage(a, n, 1, "holds 3000 bytes, directory says 3001");
    memcpy(a, arc, n), put32(a + cd_off_of[1] + 24, sizeof text - 1);
    expect_damage(a, n, 1, "inflates to more than 2999 bytes");
    memcpy(a, arc, n), a[data_off_of[1]] = 0xff; /* invalid block type */
    expect_damage(a, n, 1, "corrupt deflate data");
    memcpy(a, arc, n), a[0] = 'X';
    expect_damage(a, n, 0, "bad local header signature");
    memcpy(a, arc, n), put32(a + cd_off_of[0] + 20, 1u << 30);
    expect_damage(a, n, 0, "member 'a.npy' is truncated");
    memcpy(a, arc, n), a[cd_off_of[0] + 8] |= 1;
    expect_damage(a, n, -1, "encrypted");
    memcpy(a, arc, n), a[cd_off_of[0] + 10] = 12;
    expect_damage(a, n, 0, "compression method 12");
    expect_damage(arc, n - 30, -1, "no end of central directory");
    memcpy(a, arc, n);
    memmove(a + cd_off_of[0] - 500, a + cd_off_of[0], n - cd_off_of[0]);
    expect_damage(a, n - 500, -1, "outside the file");
    expect_damage(arc, 10, -1, "too short");
}

int main(void)
{
    RUN(test_members);
    RUN(test_damage);
    return harness_done();
}
