"""Who is asking: access tokens and the actors they stand for, shared by REST and GraphQL."""
