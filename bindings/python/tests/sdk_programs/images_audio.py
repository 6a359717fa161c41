"""Images (generate, edit with files, variation) and audio (speech, transcription, translation)."""
import pathlib

from openai import OpenAI

client = OpenAI()

image = client.images.generate(model="dall-e-3", prompt="A cute baby sea otter", n=1, size="1024x1024")
print(image.created, len(image.data), image.data[0].url, image.data[0].revised_prompt)

png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
pathlib.Path("otter.png").write_bytes(png)
edited = client.images.edit(image=open("otter.png", "rb"), prompt="Add a hat", n=2, size="256x256")
print(len(edited.data), edited.data[0].b64_json is not None or edited.data[0].url is not None)
varied = client.images.create_variation(image=("otter.png", png, "image/png"), n=1)
print(len(varied.data))

speech = client.audio.speech.create(model="gpt-4o-mini-tts", voice="coral", input="Today is a wonderful day!")
print(len(speech.content), speech.content[:8].hex(), speech.response.headers["content-type"])
speech.write_to_file("speech.mp3")
print(pathlib.Path("speech.mp3").stat().st_size)

with client.audio.speech.with_streaming_response.create(
    model="tts-1", voice="alloy", input="Hello world", response_format="wav"
) as response:
    print(response.headers["content-type"])
    response.stream_to_file("hello.wav")
print(pathlib.Path("hello.wav").read_bytes()[:4].hex())

pathlib.Path("speech.wav").write_bytes(b"RIFF" + b"\0" * 40)
transcript = client.audio.transcriptions.create(model="whisper-1", file=open("speech.wav", "rb"))
print(transcript.text)
verbose = client.audio.transcriptions.create(
    model="whisper-1", file=pathlib.Path("speech.wav"), response_format="verbose_json",
    timestamp_granularities=["word", "segment"], language="en", temperature=0.0,
)
print(verbose.language, verbose.duration, verbose.text[:20], len(verbose.segments or []), len(verbose.words or []))
text = client.audio.transcriptions.create(model="whisper-1", file=open("speech.wav", "rb"), response_format="text")
print(type(text).__name__ == "str" or isinstance(text, str), text.strip())
srt = client.audio.translations.create(model="whisper-1", file=open("speech.wav", "rb"), response_format="srt")
print(srt.splitlines()[:2])
translation = client.audio.translations.create(model="whisper-1", file=open("speech.wav", "rb"))
print(translation.text)
