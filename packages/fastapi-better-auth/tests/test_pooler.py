from better_auth_fastapi import is_transaction_pooler


def test_neon_pooled_endpoint_is_detected() -> None:
    assert is_transaction_pooler("postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db?sslmode=require")
    assert not is_transaction_pooler("postgresql://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/db?sslmode=require")
    assert not is_transaction_pooler("postgres://postgres:pw@127.0.0.1:5433/postgres")
