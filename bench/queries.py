"""The documents the benchmark sends, shared by the server's baselines and the driver."""

USERS_NESTED = (
    "query UsersPage { users(first: 100) { edges { node { id username "
    "tenant { name } ownedProjects { id name owner { username } } } } } }"
)
USERS_SCALARS = "query UsersScalars { users(first: 100) { edges { node { id username email role createdAt } } } }"
ME = "query Me { me { id username } }"
LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { __typename } }"
SEND_INVITATION = (
    "mutation Invite($input: SendInvitationInput!) { sendInvitation(input: $input) { __typename "
    "... on Error { message } } }"
)
