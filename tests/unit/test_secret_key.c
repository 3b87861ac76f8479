/* Which keys name a secret (src/util/secret_key.c): the rule the
 * warehouses, federated catalogs and change events share. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/secret_key.h"

static void
test_storage_credentials_are_secrets_in_any_case(void **state)
{
	(void)state;
	assert_true(pgl_secret_key_storage("s3.secret-access-key"));
	assert_true(pgl_secret_key_storage("S3.ACCESS-KEY-ID"));
	assert_true(pgl_secret_key_storage("adls.sas-token.acct"));
	assert_true(pgl_secret_key_storage("gcs.service_account_json"));
	assert_false(pgl_secret_key_storage("s3.endpoint"));
	assert_false(pgl_secret_key_storage("s3.region"));
	/* Azure: the key and the principal's secret, not the SAS settings. */
	assert_true(pgl_secret_key_storage("account_key"));
	assert_true(pgl_secret_key_storage("client_secret"));
	assert_false(pgl_secret_key_storage("vend_container_sas"));
	assert_false(pgl_secret_key_storage("sas_lifetime_secs"));
	assert_false(pgl_secret_key_storage("account_name"));
}

static void
test_free_form_keys_are_judged_under_any_spelling(void **state)
{
	(void)state;
	assert_true(pgl_secret_key("rest.signing-key"));
	assert_true(pgl_secret_key("restSigningKey"));
	assert_true(pgl_secret_key("header.Authorization"));
	assert_true(pgl_secret_key("clientSecret"));
	assert_true(pgl_secret_key("passwd"));
	assert_true(pgl_secret_key("s3.secret-access-key"));
	assert_false(pgl_secret_key("owner"));
	assert_false(pgl_secret_key("write.format.default"));
	assert_false(pgl_secret_key("comment"));
}

/* Issue 67: the value holds the key (";AccountKey=..."), whatever the
 * key around "connection string" is called. */
static void
test_connection_strings_are_secrets(void **state)
{
	(void)state;
	assert_true(pgl_secret_key("adls.connection-string.acct"));
	assert_true(pgl_secret_key("adls.connection-string.acct.dfs.core.windows.net"));
	assert_true(pgl_secret_key("azure.connectionString"));
	assert_true(pgl_secret_key("jdbc.connection_string"));
	assert_true(pgl_secret_key("adls.shared-access-signature"));
	assert_false(pgl_secret_key("http-client.connection-timeout-ms"));
	assert_false(pgl_secret_key("adls.account-host"));
}

static void
test_the_token_endpoint_uri_is_not_a_secret(void **state)
{
	(void)state;
	assert_false(pgl_secret_key("oauth2-server-uri"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_credentials_are_secrets_in_any_case),
		cmocka_unit_test(test_free_form_keys_are_judged_under_any_spelling),
		cmocka_unit_test(test_connection_strings_are_secrets),
		cmocka_unit_test(test_the_token_endpoint_uri_is_not_a_secret),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
