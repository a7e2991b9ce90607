from django.http import HttpResponse


def entry_list(request):
    return HttpResponse("")


entry_detail = status = verify_now = entry_list
