"""The GraphQL adapter (strawberry): queries and live subscriptions for the dashboard."""
