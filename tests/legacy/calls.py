"""Driven by test_sdk_legacy.py in a separate interpreter whose path holds the last 0.x SDK.

Usage: python calls.py BASE_URL  -> exercises every operation that SDK covers, with strict
response validation, and prints the names of the calls it made.
"""

import sys

import anthropic

MODEL = "claude-sonnet-4-6"
SKILL_MD = b"---\nname: greeter\ndescription: Says hello.\n---\nHello.\n"


def main(base_url: str) -> None:
    assert anthropic.__version__.startswith("0."), anthropic.__version__
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-ant-api03-legacy", max_retries=0,
                                 _strict_response_validation=True)
    done = []
    user = [{"role": "user", "content": "Hello"}]
    message = client.messages.create(model=MODEL, max_tokens=40, temperature=0.3, messages=user)
    assert message.id.startswith("msg_")
    with client.messages.stream(model=MODEL, max_tokens=40, messages=user) as stream:
        assert stream.get_final_message().role == "assistant"
    assert client.messages.count_tokens(model=MODEL, messages=user).input_tokens > 0
    done += ["messages_create", "messages_count_tokens"]

    completion = client.completions.create(model=MODEL, max_tokens_to_sample=20,
                                           prompt="\n\nHuman: Hello\n\nAssistant:")
    assert completion.type == "completion"
    done.append("completions_create")

    request = {"custom_id": "a", "params": {"model": MODEL, "max_tokens": 20, "messages": user}}
    batch = client.messages.batches.create(requests=[request])
    client.messages.batches.retrieve(batch.id)
    client.messages.batches.list(limit=2)
    if client.messages.batches.retrieve(batch.id).processing_status == "ended":
        list(client.messages.batches.results(batch.id))
    client.messages.batches.cancel(client.messages.batches.create(requests=[request]).id)
    client.messages.batches.delete(batch.id)
    done += ["batches_create", "batches_retrieve", "batches_list", "batches_results", "batches_cancel",
             "batches_delete"]

    first = client.models.list(limit=2).data[0]
    client.models.retrieve(first.id)
    done += ["models_list", "models_retrieve"]

    files = client.beta.files
    uploaded = files.upload(file=("a.txt", b"legacy bytes", "text/plain"))
    files.retrieve_metadata(uploaded.id)
    files.list()
    try:
        files.download(uploaded.id)
    except anthropic.BadRequestError:
        pass
    files.delete(uploaded.id)
    done += ["files_upload", "files_retrieve_metadata", "files_list", "files_download", "files_delete"]

    skills = client.beta.skills
    skill = skills.create(display_title="Greeter", files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
    skills.retrieve(skill.id)
    skills.list()
    version = skills.versions.create(skill.id, files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
    skills.versions.retrieve(version.version, skill_id=skill.id)
    for listed in skills.versions.list(skill.id).data:
        skills.versions.delete(listed.version, skill_id=skill.id)
    skills.delete(skill.id)
    done += ["skills_create", "skills_retrieve", "skills_list", "skill_versions_create",
             "skill_versions_retrieve", "skill_versions_list", "skill_versions_delete", "skills_delete"]
    print(" ".join(done))


if __name__ == "__main__":
    main(sys.argv[1])
