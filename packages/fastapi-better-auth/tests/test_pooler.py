from better_auth_fastapi import is_transaction_pooler


def test_neon_pooled_endpoint_is_detected() -> None:
    assert is_transaction_pooler("postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db?sslmode=require")
    assert not is_transaction_pooler("postgresql://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/db?sslmode=require")
    assert not is_transaction_pooler("postgres://postgres:pw@127.0.0.1:5433/postgres")


def test_pooler_urls_get_no_server_side_prepared_statements() -> None:
    from better_auth_fastapi import connection_kwargs

    pooled = "postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db?sslmode=require"
    direct = "postgresql://u:p@127.0.0.1:5432/db"
    assert connection_kwargs(pooled)["prepare_threshold"] is None
    assert connection_kwargs(direct)["prepare_threshold"] == 0
    # An explicit choice beats detection: a self-hosted PgBouncer has no telltale host name.
    assert connection_kwargs(direct, prepare=False)["prepare_threshold"] is None
    assert connection_kwargs(pooled, prepare=True)["prepare_threshold"] == 0
