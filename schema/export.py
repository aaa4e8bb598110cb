from strawberry.printer import print_schema

from schema import schema


def export_schema() -> str:
    return print_schema(schema) + "\n"
