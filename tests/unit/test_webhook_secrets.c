/* A webhook subscription's secrets (src/events/webhook_secrets.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/webhook_secrets.h"

static const unsigned char	key[32] = "0123456789abcdef0123456789abcdef";

static void
test_sealed_text_round_trips_and_hides_the_secret(void **state)
{
	struct pgl_webhook_secrets	 s, back;
	const char			*why = NULL;
	char				*text;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pgl_webhook_secret_new(s.current), 0);
	assert_int_equal(pgl_webhook_secrets_text(&s, key, &text), 0);
	assert_null(strstr(text, s.current));
	assert_int_equal(pgl_webhook_secrets_parse(text, key, &back, &why), 0);
	/* Success leaves no reason behind (issue 67: the dispatcher took
	 * the unseal's stale "malformed sealed value" for a failure). */
	assert_null(why);
	assert_string_equal(back.current, s.current);
	assert_string_equal(back.previous, "");
	/* Sealed text without the key, or under another, is refused. */
	assert_int_equal(pgl_webhook_secrets_parse(text, NULL, &back, &why),
	    -1);
	assert_non_null(why);
	{
		unsigned char	other[32];

		memcpy(other, key, sizeof(other));
		other[0] ^= 1;
		why = NULL;
		assert_int_equal(pgl_webhook_secrets_parse(text, other, &back,
		    &why), -1);
		assert_non_null(why);
	}
	free(text);
	/* Plain (written without a key): readable with or without one,
	 * as warehouse secrets stored before the key was set are. */
	assert_int_equal(pgl_webhook_secrets_text(&s, NULL, &text), 0);
	assert_non_null(strstr(text, s.current));
	assert_int_equal(pgl_webhook_secrets_parse(text, NULL, &back, &why),
	    0);
	assert_string_equal(back.current, s.current);
	assert_int_equal(pgl_webhook_secrets_parse(text, key, &back, &why),
	    0);
	assert_string_equal(back.current, s.current);
	free(text);
}

static void
test_rotation_overlap_gives_two_live_then_one(void **state)
{
	struct pgl_webhook_secrets	 s, back;
	const char			*v[2], *why = NULL;
	char				 old[PGL_WEBHOOK_SECRET_LEN], *text;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pgl_webhook_secret_new(s.current), 0);
	memcpy(old, s.current, sizeof(old));
	assert_int_equal(pgl_webhook_secrets_live(&s, 1000, v), 1);
	assert_string_equal(v[0], old);
	assert_int_equal(pgl_webhook_secrets_rotate(&s, 1000, 60000), 0);
	assert_string_not_equal(s.current, old);
	/* Through the store's text, as the dispatcher reads it. */
	assert_int_equal(pgl_webhook_secrets_text(&s, key, &text), 0);
	assert_int_equal(pgl_webhook_secrets_parse(text, key, &back, &why), 0);
	free(text);
	assert_int_equal(pgl_webhook_secrets_live(&back, 1000, v), 2);
	assert_string_equal(v[0], s.current);	/* the newest first */
	assert_string_equal(v[1], old);
	assert_int_equal(pgl_webhook_secrets_live(&back, 60999, v), 2);
	assert_int_equal(pgl_webhook_secrets_live(&back, 61001, v), 1);
	assert_string_equal(v[0], s.current);
	/* No overlap: the old one stops at once. */
	assert_int_equal(pgl_webhook_secrets_rotate(&s, 5000, 0), 0);
	assert_int_equal(pgl_webhook_secrets_live(&s, 5000, v), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_sealed_text_round_trips_and_hides_the_secret),
		cmocka_unit_test(test_rotation_overlap_gives_two_live_then_one),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
