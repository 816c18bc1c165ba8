/* config_write.c - the config as YAML (for --print-config and run.yaml), the
 * list of defaults used (-v), and the man page's KEYS section, all walked
 * from the schema so they can never leave a key out. */
#include "config.h"

#include "../common/err.h"

#include <string.h>
#include <strings.h>

/* A string can go unquoted if YAML would read it back as the same string:
 * safe characters only, not starting like a number, not a YAML keyword. */
static int plain_ok(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"};
    if (!*s || strchr("0123456789-+.~", s[0]))
        return 0;
    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") != strlen(s))
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcasecmp(s, words[i]))
            return 0;
    return 1;
}

void cs_yaml_put_string(const char *s, FILE *fp)
{
    if (plain_ok(s)) {
        fputs(s, fp);
        return;
    }
    /* Double-quoted; what YAML would not keep as is (controls, the C1 range
     * with its NEL line break, LS, PS, BOM, non-characters) becomes \\u.
     * Config strings are valid UTF-8 (the parser refuses anything else), but
     * names read from datasets (class names in run.yaml) may not be: a byte
     * that starts no valid character becomes \\xNN, which YAML reads as
     * U+00NN, i.e. the byte taken as Latin-1. */
    fputc('"', fp);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c;
        int n = cs_config_utf8_next(p, &c);
        if (!n) {
            fprintf(fp, "\\x%02x", *p);
            p++;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", (char)c);
        else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
                 c == 0xfffe || c == 0xffff)
            fprintf(fp, "\\u%04x", c);
        else
            fwrite(p, 1, (size_t)n, fp);
        p += n;
    }
    fputc('"', fp);
}

/* "integer in 1..100000", "number > 0", "one of a, b", "string". */
static void describe(const cs_cfg_key *k, char *buf, size_t size)
{
    static const char *const names[] = {"integer", "number", "boolean", "string", ""};
    char range[96];
    if (k->type == CS_CFG_ENUM) {
        cs_config_type_text(k, buf, size);
        return;
    }
    cs_config_range_text(k, range, sizeof range);
    snprintf(buf, size, "%s%s%s", names[k->type], *range ? " " : "", *range ? range + strlen("must be ") : "");
}

static int write_yaml(const cs_config *cfg, FILE *fp, int annotated)
{
    char section[CS_CFG_NAME_MAX] = "", value[CS_CFG_PATH_MAX], what[256];
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        const cs_cfg_key *k = &cs_config_keys[i];
        const char *dot = strchr(k->key, '.');
        size_t sn = (size_t)(dot - k->key);
        if (strlen(section) != sn || strncmp(section, k->key, sn)) {
            memcpy(section, k->key, sn);
            section[sn] = 0;
            fprintf(fp, "%s%s:\n", i && annotated ? "\n" : "", section);
        }
        if (annotated) {
            describe(k, what, sizeof what);
            fprintf(fp, "  # %s\n  # %s; default %s\n", k->help, what, *k->def ? k->def : "empty");
        }
        fprintf(fp, "  %s: ", dot + 1);
        cs_config_value_text(cfg, k, value, sizeof value);
        if (k->type == CS_CFG_STRING || k->type == CS_CFG_ENUM)
            cs_yaml_put_string(value, fp);
        else
            fputs(value, fp);
        fputc('\n', fp);
    }
    if (ferror(fp))
        return cs_error(CS_EIO, "cannot write the config");
    return 0;
}

int cs_config_write(const cs_config *cfg, FILE *fp) { return write_yaml(cfg, fp, 0); }

int cs_config_write_annotated(const cs_config *cfg, FILE *fp) { return write_yaml(cfg, fp, 1); }

int cs_config_print_defaults_used(const cs_config *cfg, FILE *fp)
{
    char value[CS_CFG_PATH_MAX];
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        if (cfg->source[i] != CS_CFG_DEFAULT)
            continue;
        cs_config_value_text(cfg, &cs_config_keys[i], value, sizeof value);
        fprintf(fp, "%s: %s (default)\n", cs_config_keys[i].key, *value ? value : "\"\"");
    }
    if (ferror(fp))
        return cs_error(CS_EIO, "cannot write the list of defaults");
    return 0;
}

/* roff text: backslashes doubled, a leading '.' or '\'' protected. */
static void put_roff(const char *s, FILE *fp)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", fp);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", fp);
        else
            fputc(*s, fp);
    }
}

int cs_config_write_man_keys(FILE *fp)
{
    char section[CS_CFG_NAME_MAX] = "", what[256];
    for (size_t i = 0; i < cs_config_nkeys; i++) {
        const cs_cfg_key *k = &cs_config_keys[i];
        const char *dot = strchr(k->key, '.');
        size_t sn = (size_t)(dot - k->key);
        if (strlen(section) != sn || strncmp(section, k->key, sn)) {
            memcpy(section, k->key, sn);
            section[sn] = 0;
            fprintf(fp, ".SS %s\n", section);
        }
        describe(k, what, sizeof what);
        fprintf(fp, ".TP\n.B %s\n", k->key);
        put_roff(k->help, fp);
        fputs("\n.br\n", fp);
        put_roff(what, fp);
        fputs("; default ", fp);
        put_roff(*k->def ? k->def : "empty", fp);
        fputc('\n', fp);
    }
    if (ferror(fp))
        return cs_error(CS_EIO, "cannot write the man page keys");
    return 0;
}
